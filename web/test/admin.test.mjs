// Administration and sharing, in a real browser: Debian's Chromium (playwright-core) against the
// real narada binary on a database filled by `narada seed --demo` (the demo people, cities,
// networks and documents of crates/narada-accounts/src/seed.rs). Everything here is done through
// the pages, as the people would; Node's own API session only looks up ids and checks answers.
//
// Every wait is on a page element, an event (download, dialog) or a condition with a timeout;
// nothing sleeps.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WAIT, apiDocIds, axeViolations, chromiumSkip, listedEquals, newPerson, signIn, startDemo } from './chromium.mjs';

describe('administration and sharing, in Chromium', { skip: chromiumSkip() }, () => {
  let demo;
  let server;
  let browser;
  let shots;
  let api;
  let ids;
  const pageErrors = [];

  before(async () => {
    demo = await startDemo();
    ({ server, browser, shots, admin: api, ids } = demo);
  });

  after(async () => {
    await demo?.close();
  });

  const person = () => newPerson(browser, pageErrors);
  /** Drops the browser's log lines for refusals a test provoked on purpose. */
  const expectRefusals = (re) => pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !re.test(e)));

  /** A new person signed in through the form, landing on `next`. */
  async function signedIn(email, next = '/', password) {
    const p = await person();
    await p.page.goto(`${server.httpUrl}/login?next=${encodeURIComponent(next)}`);
    await signIn(p.page, email, password);
    await p.page.waitForURL(`${server.httpUrl}${next}`, { timeout: WAIT });
    return p;
  }
  const dialog = (page) => page.locator('dialog[open]');

  test('an admin adds a person whose invitation link works, then adds a city and the person sees its documents', async () => {
    const admin = await signedIn('admin@narada.demo');
    // The header menu leads to the administration.
    await admin.page.getByRole('button', { name: 'Anna Ministerialna' }).click();
    await admin.page.getByRole('link', { name: 'Administracja' }).click();
    await admin.page.waitForURL('**/admin', { timeout: WAIT });
    await admin.page.getByRole('heading', { level: 2, name: 'Osoby' }).waitFor({ timeout: WAIT });
    await admin.page.locator(`tr[data-person-id="${ids['ekspert@narada.demo']}"]`).waitFor({ timeout: WAIT });
    const ewaRow = await admin.page.locator(`tr[data-person-id="${ids['ekspert@narada.demo']}"]`).locator('th, td').allTextContents();
    assert.deepEqual(ewaRow.slice(0, 6), ['Ewa Ekspertka', 'ekspert@narada.demo', 'Komentujący (ekspert)', '—', 'Miasto Zielone', 'Aktywne']);
    assert.deepEqual(await axeViolations(admin.page), [], 'people page');

    // A form error is told accessibly.
    const form = admin.page.locator('.admin-form');
    await form.getByRole('button', { name: 'Dodaj osobę i utwórz zaproszenie' }).click();
    await form.locator('#person-name-error', { hasText: 'Podaj imię i nazwisko.' }).waitFor({ timeout: WAIT });
    assert.equal(await form.getByLabel('Imię i nazwisko').getAttribute('aria-invalid'), 'true');
    assert.equal(await admin.page.evaluate(() => document.activeElement?.className), 'problem-summary');
    assert.deepEqual(await axeViolations(admin.page), [], 'people page with form errors');

    await form.getByLabel('Imię i nazwisko').fill('Renata Rzeszowska');
    await form.getByLabel('Adres e-mail').fill('radna@rzeszow.example.pl');
    await form.getByLabel('Rola').selectOption({ label: 'Redaktor (zespół miasta)' });
    await form.getByRole('group', { name: 'Miasta' }).getByLabel('Rzeszów').check();
    await form.getByRole('button', { name: 'Dodaj osobę i utwórz zaproszenie' }).click();
    const linkField = form.getByLabel('Link z zaproszeniem dla: Renata Rzeszowska');
    await linkField.waitFor({ timeout: WAIT });
    const link = await linkField.inputValue();
    assert.ok(link.startsWith(`${server.httpUrl}/invite?token=`), link);
    const row = admin.page.locator('tr', { hasText: 'radna@rzeszow.example.pl' });
    await row.waitFor({ timeout: WAIT });
    assert.deepEqual((await row.locator('th, td').allTextContents()).slice(0, 6), [
      'Renata Rzeszowska', 'radna@rzeszow.example.pl', 'Redaktor (zespół miasta)', 'Rzeszów', '—', 'Zaproszone (bez hasła)',
    ]);
    assert.deepEqual(await axeViolations(admin.page), [], 'people page with the invitation link');
    await admin.page.screenshot({ path: path.join(shots, 'admin-1-invitation.png'), fullPage: true });

    // The link works: she sets a password and sees her city's documents.
    const renata = await person();
    await renata.page.goto(link);
    await renata.page.getByLabel('Nowe hasło').fill('rzeszowskie hasło 2025');
    await renata.page.getByLabel('Powtórz hasło').fill('rzeszowskie hasło 2025');
    await renata.page.getByRole('button', { name: 'Ustaw hasło i zaloguj się' }).click();
    await renata.page.waitForURL(`${server.httpUrl}/`, { timeout: WAIT });
    await listedEquals(renata.page, ['inne-rzeszow', 'notatki-ppp']);
    assert.deepEqual(await apiDocIds(renata.page), ['inne-rzeszow', 'notatki-ppp']);

    // The admin adds her to Lublin: she then sees Lublin's documents too.
    await row.getByRole('button', { name: 'Edytuj: Renata Rzeszowska' }).click();
    const edit = dialog(admin.page);
    await edit.getByRole('heading', { name: 'Konto: Renata Rzeszowska' }).waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(admin.page), [], 'person dialog');
    await edit.getByRole('group', { name: 'Miasta' }).getByLabel('Lublin').check();
    await edit.getByRole('button', { name: 'Zapisz zmiany' }).click();
    await edit.getByRole('status').filter({ hasText: 'Zapisano zmiany konta: Renata Rzeszowska.' }).waitFor({ timeout: WAIT });
    await row.locator('td', { hasText: 'Rzeszów, Lublin' }).or(row.locator('td', { hasText: 'Lublin, Rzeszów' })).waitFor({ timeout: WAIT });
    // A password reset link is shown to copy.
    await edit.getByRole('button', { name: 'Link do zmiany hasła' }).click();
    const reset = await edit.getByLabel('Link do zmiany hasła dla: Renata Rzeszowska').inputValue();
    assert.ok(reset.startsWith(`${server.httpUrl}/reset-password?token=`), reset);
    await admin.page.screenshot({ path: path.join(shots, 'admin-2-person-dialog.png') });
    await edit.getByRole('button', { name: 'Zamknij' }).click();
    await edit.waitFor({ state: 'detached', timeout: WAIT });

    await renata.page.reload();
    const hers = await apiDocIds(renata.page);
    assert.ok(hers.includes('mid-lublin'), `Lublin's MID among ${hers}`);
    await listedEquals(renata.page, hers);
    await renata.page.locator('tr[data-doc-id="mid-lublin"]').waitFor({ timeout: WAIT });

    // A role change shows in the list.
    await row.getByRole('button', { name: 'Edytuj: Renata Rzeszowska' }).click();
    await dialog(admin.page).getByLabel('Rola').selectOption({ label: 'Czytelnik' });
    await dialog(admin.page).getByRole('button', { name: 'Zapisz zmiany' }).click();
    await row.locator('td', { hasText: 'Czytelnik' }).waitFor({ timeout: WAIT });
    await dialog(admin.page).getByRole('button', { name: 'Zamknij' }).click();
    await admin.context.close();
    await renata.context.close();
  });

  test('an admin adds a network and a city and attaches the city to networks', async () => {
    const admin = await signedIn('admin@narada.demo', '/admin/cities');
    await admin.page.getByRole('heading', { level: 2, name: 'Sieci' }).waitFor({ timeout: WAIT });
    const networks = admin.page.locator('.places--network');
    await networks.getByLabel('Nazwa').fill('Miasto Odporne');
    await networks.getByRole('button', { name: 'Dodaj sieć' }).click();
    await networks.locator('tbody th', { hasText: 'Miasto Odporne' }).waitFor({ timeout: WAIT });

    const cities = admin.page.locator('.places--city');
    await cities.getByLabel('Nazwa').fill('Toruń');
    await cities.getByRole('group', { name: 'Sieci' }).getByLabel('Miasto Odporne').check();
    await cities.getByRole('button', { name: 'Dodaj miasto' }).click();
    const torun = cities.locator('tbody tr', { hasText: 'Toruń' });
    await torun.locator('td', { hasText: 'Miasto Odporne' }).waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(admin.page), [], 'cities and networks page');

    // Rename it and attach it to one more network.
    await torun.getByRole('button', { name: 'Edytuj: Toruń' }).click();
    const edit = dialog(admin.page);
    await edit.getByLabel('Nazwa').fill('Toruń (miasto)');
    await edit.getByRole('group', { name: 'Sieci' }).getByLabel('Miasto Zielone').check();
    assert.deepEqual(await axeViolations(admin.page), [], 'city dialog');
    await edit.getByRole('button', { name: 'Zapisz zmiany' }).click();
    await edit.getByRole('status').filter({ hasText: 'Zapisano zmiany: Toruń (miasto).' }).waitFor({ timeout: WAIT });
    await edit.getByRole('button', { name: 'Zamknij' }).click();
    const renamed = cities.locator('tbody tr', { hasText: 'Toruń (miasto)' });
    await renamed.locator('td', { hasText: /Miasto Zielone/ }).waitFor({ timeout: WAIT });
    const city = (await api.call('GET', '/cities')).body.cities.find((c) => c.name === 'Toruń (miasto)');
    assert.equal(city.networks.length, 2);
    await admin.page.screenshot({ path: path.join(shots, 'admin-3-cities.png'), fullPage: true });
    await admin.context.close();
  });

  test('an editor shares a document with an expert, who reads it; unsharing takes it away', async () => {
    const ewaId = ids['ekspert@narada.demo'];
    const grzegorz = await signedIn('gdansk@narada.demo');
    await listedEquals(grzegorz.page, await apiDocIds(grzegorz.page));
    const ewa = await signedIn('ekspert@narada.demo');
    const before = await apiDocIds(ewa.page);
    assert.ok(!before.includes('mid-gdansk'), 'the expert does not see Gdańsk at first');

    // Her menu shows her account number, and no administration.
    await ewa.page.getByRole('button', { name: 'Ewa Ekspertka' }).click();
    await ewa.page.getByText(`Numer konta: ${ewaId}`).waitFor({ timeout: WAIT });
    assert.equal(await ewa.page.getByRole('link', { name: 'Administracja' }).count(), 0);

    await grzegorz.page.getByRole('button', { name: 'Zarządzaj dokumentem: MID Gdańsk — e-usługi dla mieszkańców' }).click();
    const manage = dialog(grzegorz.page);
    await manage.getByRole('heading', { name: /Zarządzanie dokumentem/ }).waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(grzegorz.page), [], 'manage dialog');
    await manage.getByRole('button', { name: 'Udostępnij' }).click();
    const share = dialog(grzegorz.page);
    await share.getByRole('heading', { name: 'Udostępnianie dokumentu „MID Gdańsk — e-usługi dla mieszkańców”' }).waitFor({ timeout: WAIT });
    await share.getByText('Dokument nie jest jeszcze nikomu udostępniony.').waitFor({ timeout: WAIT });
    // He shares by her email address. Without one: an accessible error.
    await share.getByRole('button', { name: 'Udostępnij', exact: true }).click();
    const email = share.getByLabel('Adres e-mail osoby');
    await share.locator('#share-person-error', { hasText: 'Podaj adres e-mail osoby' }).waitFor({ timeout: WAIT });
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await axeViolations(grzegorz.page), [], 'share dialog with an error');
    // An address without an account is told in words next to the field, and nothing is shared.
    await email.fill('nikt@narada.demo');
    await share.getByRole('button', { name: 'Udostępnij', exact: true }).click();
    await share.locator('#share-person-error', { hasText: 'Nie ma aktywnego konta z tym adresem e-mail' }).waitFor({ timeout: WAIT });
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    await share.getByText('Dokument nie jest jeszcze nikomu udostępniony.').waitFor({ timeout: WAIT });
    expectRefusals(/status of 404/);

    // Her address in another case: the share list names her, with her email.
    await email.fill('Ekspert@Narada.DEMO');
    await share.getByLabel('Uprawnienia').selectOption({ label: 'Komentowanie' });
    await share.getByRole('button', { name: 'Udostępnij', exact: true }).click();
    await share.locator('.share__list li', { hasText: 'Ewa Ekspertka (ekspert@narada.demo) — Komentowanie' }).waitFor({ timeout: WAIT });
    await share.getByRole('status').filter({ hasText: 'Udostępniono: Ewa Ekspertka (ekspert@narada.demo) — Komentowanie.' }).waitFor({ timeout: WAIT });
    assert.equal(await email.getAttribute('aria-invalid'), 'false');
    assert.deepEqual(await share.locator('.share__list li span').allTextContents(), ['Ewa Ekspertka (ekspert@narada.demo) — Komentowanie']);
    assert.deepEqual(await axeViolations(grzegorz.page), [], 'share dialog');
    await grzegorz.page.screenshot({ path: path.join(shots, 'admin-4-share.png') });

    // The expert now has it in her list, and it opens read-only.
    await ewa.page.reload();
    await ewa.page.locator('tr[data-doc-id="mid-gdansk"] .docs__role', { hasText: 'Komentowanie' }).waitFor({ timeout: WAIT });
    await listedEquals(ewa.page, await apiDocIds(ewa.page));
    await ewa.page.getByRole('link', { name: 'MID Gdańsk — e-usługi dla mieszkańców' }).click();
    await ewa.page.waitForURL('**/d/mid-gdansk', { timeout: WAIT });
    await ewa.page.locator('.status__live', { hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    await ewa.page.locator('.badge--readonly', { hasText: 'Tylko do odczytu' }).waitFor({ timeout: WAIT });
    assert.equal(await ewa.page.locator('.prose').getAttribute('contenteditable'), 'false');
    assert.equal(await ewa.page.evaluate(() => window.narada.session.role), 'commenter');
    assert.equal(await ewa.page.getByRole('button', { name: 'Udostępnij' }).count(), 0, 'a commenter may not share');

    // Unshared: it leaves her list.
    await share.getByRole('button', { name: 'Usuń udostępnienie: Ewa Ekspertka (ekspert@narada.demo)' }).click();
    await share.getByText('Dokument nie jest jeszcze nikomu udostępniony.').waitFor({ timeout: WAIT });
    await ewa.page.getByRole('alert').filter({ hasText: 'Nie masz już dostępu do tego dokumentu.' }).waitFor({ timeout: WAIT });
    await ewa.page.goto(`${server.httpUrl}/`);
    await listedEquals(ewa.page, before);
    expectRefusals(/status of 403/);

    // The editor's document page offers sharing as well.
    await grzegorz.page.goto(`${server.httpUrl}/d/mid-gdansk`);
    await grzegorz.page.getByRole('button', { name: 'Udostępnij' }).click();
    await dialog(grzegorz.page).getByText('Dokument nie jest jeszcze nikomu udostępniony.').waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(grzegorz.page), [], 'share dialog on the document page');
    await grzegorz.context.close();
    await ewa.context.close();
  });

  test('rename, archive and delete show in the list; a refused move is told in words; an admin restores', async () => {
    const g = await signedIn('gdansk@narada.demo');
    const manageGdansk = () => g.page.getByRole('button', { name: /^Zarządzaj dokumentem: MID Gdańsk/ }).click();
    await manageGdansk();
    let manage = dialog(g.page);
    await manage.getByLabel('Tytuł dokumentu').fill('MID Gdańsk — e-usługi 2.0');
    await manage.getByRole('button', { name: 'Zmień tytuł' }).click();
    await manage.getByRole('status').filter({ hasText: 'Zmieniono tytuł na „MID Gdańsk — e-usługi 2.0”.' }).waitFor({ timeout: WAIT });
    await g.page.locator('tr[data-doc-id="mid-gdansk"] th', { hasText: 'MID Gdańsk — e-usługi 2.0' }).waitFor({ timeout: WAIT });

    // Moving it to a city he does not belong to is refused, in words.
    await manage.getByLabel('Właściciel').evaluate((select, krakow) => {
      select.add(new Option('Kraków', `city:${krakow}`));
      select.value = `city:${krakow}`;
    }, ids['Kraków']);
    await manage.getByRole('button', { name: 'Przenieś', exact: true }).click();
    await manage.getByRole('alert').filter({ hasText: 'Nie masz uprawnień do tej czynności.' }).waitFor({ timeout: WAIT });
    assert.equal(await manage.getByLabel('Właściciel').getAttribute('aria-invalid'), 'true');
    expectRefusals(/status of 403/);

    // Archived: gone from the default list, shown under "only archived", read-only.
    await manage.getByRole('button', { name: 'Przenieś do archiwum' }).click();
    await manage.getByRole('status').filter({ hasText: 'jest w archiwum' }).waitFor({ timeout: WAIT });
    await manage.getByRole('button', { name: 'Zamknij' }).click();
    await g.page.locator('tr[data-doc-id="mid-gdansk"]').waitFor({ state: 'detached', timeout: WAIT });
    await g.page.getByLabel('Archiwum').selectOption({ label: 'Tylko archiwalne' });
    const archived = g.page.locator('tr[data-doc-id="mid-gdansk"]');
    await archived.locator('.docs__state', { hasText: '(w archiwum)' }).waitFor({ timeout: WAIT });
    await archived.locator('.docs__role', { hasText: 'Odczyt' }).waitFor({ timeout: WAIT });
    await listedEquals(g.page, await apiDocIds(g.page, '?archived=only'));
    assert.deepEqual(await axeViolations(g.page), [], 'documents list with archived documents');
    await g.page.screenshot({ path: path.join(shots, 'admin-5-archived.png') });
    await manageGdansk();
    manage = dialog(g.page);
    assert.equal(await manage.getByRole('button', { name: 'Zmień tytuł' }).isHidden(), true, 'no renaming while archived');
    await manage.getByRole('button', { name: 'Przywróć z archiwum' }).click();
    await manage.getByRole('status').filter({ hasText: 'wrócił z archiwum' }).waitFor({ timeout: WAIT });
    await manage.getByRole('button', { name: 'Zamknij' }).click();
    await g.page.getByLabel('Archiwum').selectOption({ label: 'Bez archiwalnych' });
    await g.page.locator('tr[data-doc-id="mid-gdansk"]').waitFor({ timeout: WAIT });

    // Deleted (after a confirmation): gone; editors cannot list deleted documents.
    await manageGdansk();
    g.page.once('dialog', (d) => void d.accept());
    await dialog(g.page).getByRole('button', { name: 'Usuń dokument' }).click();
    await dialog(g.page).getByRole('status').filter({ hasText: 'został usunięty' }).waitFor({ timeout: WAIT });
    await dialog(g.page).getByRole('button', { name: 'Zamknij' }).click();
    await g.page.locator('tr[data-doc-id="mid-gdansk"]').waitFor({ state: 'detached', timeout: WAIT });
    assert.equal(await g.page.getByLabel('Usunięte').isVisible(), false);

    // The admin sees it among deleted documents and restores it.
    const admin = await signedIn('admin@narada.demo');
    await admin.page.getByLabel('Usunięte').selectOption({ label: 'Tylko usunięte' });
    const deleted = admin.page.locator('tr[data-doc-id="mid-gdansk"]');
    await deleted.locator('.docs__state', { hasText: '(usunięty)' }).waitFor({ timeout: WAIT });
    await admin.page.getByRole('button', { name: /^Zarządzaj dokumentem: MID Gdańsk/ }).click();
    await dialog(admin.page).getByRole('button', { name: 'Przywróć usunięty dokument' }).click();
    await dialog(admin.page).getByRole('status').filter({ hasText: 'został przywrócony' }).waitFor({ timeout: WAIT });
    await dialog(admin.page).getByRole('button', { name: 'Zamknij' }).click();
    await deleted.waitFor({ state: 'detached', timeout: WAIT });
    await g.page.reload();
    await g.page.locator('tr[data-doc-id="mid-gdansk"]').waitFor({ timeout: WAIT });
    await g.context.close();
    await admin.context.close();
  });

  test('someone who is no admin has no administration menu, and /admin says they have no access', async () => {
    const kasia = await signedIn('krakow@narada.demo');
    await kasia.page.getByRole('button', { name: 'Katarzyna Krakowska' }).click();
    await kasia.page.getByRole('button', { name: 'Wyloguj się', exact: true }).waitFor({ timeout: WAIT });
    assert.equal(await kasia.page.getByRole('link', { name: 'Administracja' }).count(), 0);
    for (const route of ['/admin', '/admin/people', '/admin/audit']) {
      await kasia.page.goto(`${server.httpUrl}${route}`);
      await kasia.page.getByRole('alert').filter({ hasText: 'Nie masz do niej dostępu.' }).waitFor({ timeout: WAIT });
      assert.equal(await kasia.page.locator('table').count(), 0, route);
    }
    assert.deepEqual(await axeViolations(kasia.page), [], 'no-access page');
    // Signed out, /admin asks to sign in first and then comes back.
    const nobody = await person();
    await nobody.page.goto(`${server.httpUrl}/admin/audit`);
    await signIn(nobody.page, 'admin@narada.demo');
    await nobody.page.getByRole('heading', { level: 2, name: 'Dziennik zdarzeń' }).waitFor({ timeout: WAIT });
    await kasia.context.close();
    await nobody.context.close();
  });

  test('the audit log lists sign-ins and shares, and exports one person’s records as JSON', async () => {
    const admin = await signedIn('admin@narada.demo', '/admin/audit');
    await admin.page.getByRole('heading', { level: 2, name: 'Dziennik zdarzeń' }).waitFor({ timeout: WAIT });
    await admin.page.locator('tr[data-action="login.ok"]').first().waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(admin.page), [], 'audit page');

    await admin.page.getByLabel('Osoba (wykonująca lub której dotyczy)').selectOption({ label: 'Ewa Ekspertka (ekspert@narada.demo)' });
    await admin.page.getByLabel('Czynność').fill('doc.share');
    await admin.page.getByRole('button', { name: 'Pokaż wpisy' }).click();
    // Once the filtered answer is in, every row is one of her shares.
    await admin.page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('.audit tbody tr')];
      return rows.length > 0 && rows.every((tr) => tr.dataset.action === 'doc.share');
    }, null, { timeout: WAIT });
    const share = admin.page.locator('tr[data-action="doc.share"]');
    // People and the document by name (the title it has now), the details in words.
    const cells = () => share.first().locator('td').allTextContents();
    assert.deepEqual((await cells()).slice(1), [
      'Grzegorz Gdański (gdansk@narada.demo)',
      'Udostępnienie dokumentu (doc.share)',
      'Dokument „MID Gdańsk — e-usługi 2.0”',
      'Ewa Ekspertka (ekspert@narada.demo)',
      'Komu: Ewa Ekspertka (ekspert@narada.demo)Uprawnienia: Komentowanie',
    ]);
    assert.deepEqual(await share.first().locator('.audit__detail li').allTextContents(), ['Komu: Ewa Ekspertka (ekspert@narada.demo)', 'Uprawnienia: Komentowanie']);
    // The action's meaning and the details follow the interface language; the code stays beside it.
    await admin.page.getByRole('button', { name: 'EN', exact: true }).click();
    await share.first().locator('td', { hasText: 'Document shared (doc.share)' }).waitFor({ timeout: WAIT });
    assert.deepEqual((await cells()).slice(3), [
      'Document “MID Gdańsk — e-usługi 2.0”',
      'Ewa Ekspertka (ekspert@narada.demo)',
      'With: Ewa Ekspertka (ekspert@narada.demo)Access: Comment',
    ]);
    await admin.page.locator('.audit__count', { hasText: /^Records: \d+$/ }).waitFor({ timeout: WAIT });
    await admin.page.getByRole('button', { name: 'PL', exact: true }).click();
    await share.first().locator('td', { hasText: 'Udostępnienie dokumentu (doc.share)' }).waitFor({ timeout: WAIT });
    await admin.page.locator('.audit__count', { hasText: /^Liczba wpisów: \d+$/ }).waitFor({ timeout: WAIT });
    await admin.page.getByLabel('Czynność').fill('');
    await admin.page.getByRole('button', { name: 'Pokaż wpisy' }).click();
    await admin.page.locator('tr[data-action="login.ok"]').first().waitFor({ timeout: WAIT });
    await admin.page.locator('tr[data-action="doc.unshare"]').first().waitFor({ timeout: WAIT });

    // A period that ends before it starts is refused accessibly.
    await admin.page.getByLabel('Od', { exact: true }).fill('2030-01-02T10:00');
    await admin.page.getByLabel('Do', { exact: true }).fill('2030-01-01T10:00');
    await admin.page.getByRole('button', { name: 'Pokaż wpisy' }).click();
    await admin.page.locator('#audit-until-error', { hasText: 'Koniec okresu musi być późniejszy' }).waitFor({ timeout: WAIT });
    assert.equal(await admin.page.getByLabel('Do', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await axeViolations(admin.page), [], 'audit page with an error');
    await admin.page.getByLabel('Od', { exact: true }).fill('');
    await admin.page.getByLabel('Do', { exact: true }).fill('');
    await admin.page.getByRole('button', { name: 'Pokaż wpisy' }).click();
    await admin.page.locator('tr[data-action="login.ok"]').first().waitFor({ timeout: WAIT });
    await admin.page.screenshot({ path: path.join(shots, 'admin-6-audit.png'), fullPage: true });

    // Export: a JSON file of this one person.
    const download = admin.page.waitForEvent('download', { timeout: WAIT });
    await admin.page.getByRole('button', { name: 'Eksportuj dane tej osoby (RODO, plik JSON)' }).click();
    const file = await download;
    assert.match(file.suggestedFilename(), /^narada-person-\d+\.json$/);
    const data = JSON.parse(await readFile(await file.path(), 'utf8'));
    assert.equal(data.person.email, 'ekspert@narada.demo');
    const actions = new Set(data.records.map((r) => r.action));
    for (const a of ['login.ok', 'doc.share', 'doc.unshare']) assert.ok(actions.has(a), `${a} in ${[...actions]}`);
    assert.ok(
      data.records.every((r) => r.actor_id === data.person.id || r.subject_id === data.person.id),
      'only records of this person',
    );
    await admin.context.close();
  });

  test('the pages raised no script errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
