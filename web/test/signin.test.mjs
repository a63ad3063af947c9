// Signing in, in a real browser: Debian's Chromium (playwright-core) against the real narada
// binary, on a database filled by `narada seed --demo` before the server starts (the demo people,
// cities, networks and documents of crates/narada-accounts/src/seed.rs, password
// narada-demo-2023). Administrative changes are made through the accounts API from here, as an
// administrator's browser would make them.
//
// Every wait is on a page element, a response or a condition with a timeout; nothing sleeps.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { apiSession, startServer } from './support.mjs';
import { WAIT, apiDocIds, axeViolations, chromiumSkip, listedEquals, newPerson, signIn, startDemo } from './chromium.mjs';

describe('signing in, in Chromium', { skip: chromiumSkip() }, () => {
  let demo;
  let ws;
  let server;
  let browser;
  let shots;
  let admin;
  let ids;
  const pageErrors = [];

  before(async () => {
    demo = await startDemo();
    ({ ws, server, browser, shots, admin, ids } = demo);
  });

  after(async () => {
    await demo?.close();
  });

  const person = (viewport) => newPerson(browser, pageErrors, viewport);
  const statusText = (page) => page.locator('.status__live');
  /** Drops the browser's log lines for refusals a test provoked on purpose. */
  const expectRefusals = (re) => pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !re.test(e)));


  test('a wrong password is refused with an accessible error, and repeated failures make further attempts wait', async () => {
    const p = await person();
    await p.page.goto(`${server.httpUrl}/`);
    await p.page.getByRole('heading', { level: 1, name: 'Zaloguj się' }).waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(p.page), [], 'sign-in page');
    await p.page.screenshot({ path: path.join(shots, 'signin-1-form.png') });

    // Empty fields: each gets its message; the summary takes focus.
    await p.page.getByRole('button', { name: 'Zaloguj się' }).click();
    await p.page.getByRole('alert').filter({ hasText: 'Podaj adres e-mail.' }).waitFor({ timeout: WAIT });
    assert.equal(await p.page.getByLabel('Adres e-mail').getAttribute('aria-invalid'), 'true');
    assert.equal(await p.page.getByLabel('Hasło', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(await p.page.evaluate(() => document.activeElement?.className), 'problem-summary');

    // A wrong password: the password field says so and points at the message.
    const login = () => p.page.waitForResponse((r) => r.url().endsWith('/api/auth/login'), { timeout: WAIT });
    let answered = login();
    await signIn(p.page, 'gdansk@narada.demo', 'not-the-password');
    assert.equal((await answered).status(), 401);
    const password = p.page.getByLabel('Hasło', { exact: true });
    await p.page.locator('#signin-password-error', { hasText: 'Nieprawidłowy adres e-mail lub hasło.' }).waitFor({ timeout: WAIT });
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    assert.match(await password.getAttribute('aria-describedby'), /\bsignin-password-error\b/);
    assert.equal(await p.page.getByLabel('Adres e-mail').getAttribute('aria-invalid'), 'false');
    assert.equal(await p.page.evaluate(() => document.activeElement?.className), 'problem-summary');
    assert.equal(new URL(p.page.url()).pathname, '/', 'still on the sign-in page');
    assert.deepEqual(await axeViolations(p.page), [], 'sign-in page with an error');
    await p.page.screenshot({ path: path.join(shots, 'signin-2-wrong-password.png') });

    // After five wrong passwords from this address, attempts from it must wait (the owner
    // elsewhere is not slowed down): even the right one is refused, with words that say how long.
    for (let i = 2; i <= 5; i++) {
      answered = login();
      await signIn(p.page, 'gdansk@narada.demo', `wrong-${i}`);
      assert.equal((await answered).status(), 401, `attempt ${i}`);
    }
    answered = login();
    await signIn(p.page, 'gdansk@narada.demo');
    assert.equal((await answered).status(), 429);
    await p.page.getByRole('alert').filter({ hasText: /zbyt wiele nieudanych prób logowania\. Spróbuj ponownie za \d+ s/ }).waitFor({ timeout: WAIT });
    assert.equal(await password.getAttribute('aria-invalid'), 'false', 'waiting is no field error');
    expectRefusals(/status of (401|429)/);
    await p.context.close();
  });

  test('an editor sees exactly the documents the API gives them, filters them, opens one, and an expert follows live, read-only', async () => {
    const kasia = await person();
    await kasia.page.goto(`${server.httpUrl}/login`);
    await signIn(kasia.page, 'krakow@narada.demo');
    await kasia.page.waitForURL(`${server.httpUrl}/`, { timeout: WAIT });
    await kasia.page.getByRole('heading', { level: 1, name: 'Dokumenty' }).waitFor({ timeout: WAIT });
    await kasia.page.getByRole('button', { name: 'Katarzyna Krakowska' }).waitFor({ timeout: WAIT });

    // Exactly what the API lets her see: her city's MID and her networks' plans, nothing of Gdańsk.
    const all = await apiDocIds(kasia.page);
    assert.deepEqual([...all].sort(), ['mid-krakow', 'plan-cyfrowe', 'plan-zielone']);
    await listedEquals(kasia.page, all);
    await kasia.page.locator('.docs__count', { hasText: 'Liczba dokumentów: 3' }).waitFor({ timeout: WAIT });
    assert.equal(await kasia.page.locator('tr[data-doc-id="mid-gdansk"]').count(), 0, 'another city’s document is absent');
    const row = kasia.page.locator('tr[data-doc-id="mid-krakow"]');
    assert.deepEqual(await row.locator('th, td').allTextContents(), [
      'MID Kraków — zielone podwórka',
      'Miasto Kraków',
      'Miejska Inicjatywa Działań (MID)',
      'Edycja',
      'Zarządzaj',
    ]);
    assert.deepEqual(await kasia.page.locator('tr[data-doc-id="plan-zielone"] td').allTextContents(), [
      'Sieć Miasto Zielone',
      'Plan Ulepszeń',
      'Edycja',
      'Zarządzaj',
    ]);
    assert.deepEqual(await axeViolations(kasia.page), [], 'documents list');
    await kasia.page.screenshot({ path: path.join(shots, 'signin-3-documents.png') });
    // In English the same list says the same things.
    await kasia.page.getByRole('button', { name: 'EN', exact: true }).click();
    await kasia.page.getByRole('columnheader', { name: 'Your access' }).waitFor({ timeout: WAIT });
    assert.deepEqual(await row.locator('td').allTextContents(), ['City of Kraków', 'Urban Action Initiative (MID)', 'Edit', 'Manage']);
    assert.deepEqual(await axeViolations(kasia.page), [], 'documents list in English');
    await kasia.page.getByRole('button', { name: 'PL', exact: true }).click();
    await kasia.page.getByRole('columnheader', { name: 'Twój dostęp' }).waitFor({ timeout: WAIT });

    // Filters are the API's: the list equals its answer for each, and the address keeps them.
    const filters = kasia.page.locator('.filters');
    await filters.getByLabel('Sieć', { exact: true }).selectOption({ label: 'Miasto Cyfrowe' });
    await listedEquals(kasia.page, await apiDocIds(kasia.page, `?network=${ids['Miasto Cyfrowe']}`));
    assert.equal(new URL(kasia.page.url()).searchParams.get('network'), String(ids['Miasto Cyfrowe']));
    await filters.getByLabel('Sieć', { exact: true }).selectOption({ label: 'Wszystkie sieci' });
    await filters.getByLabel('Rodzaj dokumentu').selectOption({ label: 'Plan Ulepszeń' });
    await listedEquals(kasia.page, await apiDocIds(kasia.page, '?kind=plan_ulepszen'));
    await filters.getByLabel('Rodzaj dokumentu').selectOption({ label: 'Wszystkie rodzaje' });
    await filters.getByLabel('Miasto', { exact: true }).selectOption({ label: 'Kraków' });
    await listedEquals(kasia.page, ['mid-krakow']);
    await filters.getByLabel('Miasto', { exact: true }).selectOption({ label: 'Wszystkie miasta' });
    await filters.getByLabel('Szukaj w tytułach').fill('ZIELONE');
    const zielone = await apiDocIds(kasia.page, '?q=ZIELONE');
    assert.deepEqual(zielone, ['mid-krakow', 'plan-zielone']);
    await listedEquals(kasia.page, zielone);
    await filters.getByLabel('Szukaj w tytułach').fill('nic takiego');
    await kasia.page.getByText('Żaden dokument nie pasuje do wybranych filtrów.').waitFor({ timeout: WAIT });
    await filters.getByLabel('Szukaj w tytułach').fill('');
    await listedEquals(kasia.page, all);

    // She may create documents for her city, not for another one (the server says no; the page
    // tells her in words).
    const newDoc = kasia.page.locator('.new-doc');
    assert.deepEqual(await newDoc.getByLabel('Właściciel').locator('option').allTextContents(), [
      'Miasto Kraków',
      'Sieć Miasto Zielone',
      'Sieć Miasto Cyfrowe',
    ]);
    await newDoc.getByLabel('Tytuł dokumentu').fill('Notatki zespołu krakowskiego');
    await newDoc.getByLabel('Właściciel').evaluate((select, gdansk) => {
      select.add(new Option('Gdańsk', `city:${gdansk}`));
      select.value = `city:${gdansk}`;
    }, ids['Gdańsk']);
    await newDoc.getByRole('button', { name: 'Utwórz dokument' }).click();
    await newDoc.getByRole('alert').filter({ hasText: 'Nie możesz tworzyć dokumentów dla tego właściciela' }).waitFor({ timeout: WAIT });
    assert.equal(await newDoc.getByLabel('Właściciel').getAttribute('aria-invalid'), 'true');
    expectRefusals(/status of 403/);
    await newDoc.getByLabel('Właściciel').selectOption({ label: 'Miasto Kraków' });
    await newDoc.getByLabel('Rodzaj dokumentu').selectOption({ label: 'Notatki robocze' });
    await newDoc.getByRole('button', { name: 'Utwórz dokument' }).click();
    await kasia.page.waitForURL(/\/d\/doc-[0-9a-f]+$/, { timeout: WAIT });
    await kasia.page.locator('.doc-title__name', { hasText: 'Notatki zespołu krakowskiego' }).waitFor({ timeout: WAIT });
    await statusText(kasia.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });

    // Back to the list, and into the city's action plan.
    await kasia.page.getByRole('link', { name: /Narada/ }).click();
    await kasia.page.getByRole('link', { name: 'MID Kraków — zielone podwórka' }).click();
    await kasia.page.waitForURL('**/d/mid-krakow', { timeout: WAIT });
    await statusText(kasia.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    assert.equal(await kasia.page.locator('.doc-title__name').textContent(), 'MID Kraków — zielone podwórka');
    assert.equal(await kasia.page.evaluate(() => window.narada.session.role), 'editor');
    await kasia.page.getByRole('textbox', { name: /Treść dokumentu/ }).click();
    await kasia.page.keyboard.type('Cel: więcej zieleni na podwórkach.');

    // The expert (a commenter, assigned to Kraków's network Miasto Zielone) follows a link to
    // the document, signs in on the way, and reads along.
    const ewa = await person();
    await ewa.page.goto(`${server.httpUrl}/login?next=${encodeURIComponent('/d/mid-krakow')}`);
    await signIn(ewa.page, 'ekspert@narada.demo');
    await ewa.page.waitForURL('**/d/mid-krakow', { timeout: WAIT });
    await statusText(ewa.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    assert.equal(await ewa.page.evaluate(() => window.narada.session.role), 'commenter');
    await ewa.page.locator('.prose', { hasText: 'Cel: więcej zieleni na podwórkach.' }).waitFor({ timeout: WAIT });
    await ewa.page.locator('.badge--readonly', { hasText: 'Tylko do odczytu' }).waitFor({ timeout: WAIT });
    await ewa.page.getByText('Możesz czytać ten dokument, ale nie możesz go zmieniać.').waitFor({ timeout: WAIT });
    assert.equal(await ewa.page.locator('.prose').getAttribute('contenteditable'), 'false');
    assert.equal(await ewa.page.getByRole('toolbar').count(), 0);
    // Each sees the other by their account name.
    await ewa.page.locator('.presence__person', { hasText: 'Katarzyna Krakowska' }).waitFor({ timeout: WAIT });
    await kasia.page.locator('.presence__person', { hasText: 'Ewa Ekspertka' }).waitFor({ timeout: WAIT });
    await kasia.page.keyboard.type(' Termin: 2025.');
    await ewa.page.locator('.prose', { hasText: 'Termin: 2025.' }).waitFor({ timeout: WAIT });
    await kasia.page.locator('.status__save[data-state="saved"]').waitFor({ timeout: WAIT });
    await ewa.page.screenshot({ path: path.join(shots, 'signin-4-expert-read-only.png') });

    // The expert's list offers no new-document form (experts annotate; they do not create).
    await ewa.page.goto(`${server.httpUrl}/`);
    await listedEquals(ewa.page, await apiDocIds(ewa.page));
    assert.equal(await ewa.page.locator('.new-doc').isHidden(), true);
    await kasia.context.close();
    await ewa.context.close();
  });

  test('an invitation link sets a password and signs the new person in', async () => {
    const created = await admin.call('POST', '/admin/people', {
      email: 'radna@rzeszow.example.pl',
      name: 'Renata Rzeszowska',
      role: 'editor',
      cities: [ids['Rzeszów']],
    });
    assert.equal(created.status, 201);
    const link = created.body.invite.link;
    assert.ok(link.startsWith(`${server.httpUrl}/invite?token=`), link);

    const p = await person();
    await p.page.goto(link);
    await p.page.getByRole('heading', { level: 1, name: 'Ustaw hasło do Narady' }).waitFor({ timeout: WAIT });
    assert.equal(new URL(p.page.url()).search, '', 'the token left the address bar');
    assert.deepEqual(await axeViolations(p.page), [], 'invitation page');

    const pw = p.page.getByLabel('Nowe hasło');
    const again = p.page.getByLabel('Powtórz hasło');
    const submit = p.page.getByRole('button', { name: 'Ustaw hasło i zaloguj się' });
    await pw.fill('krótkie');
    await again.fill('krótkie');
    await submit.click();
    await p.page.locator('#new-password-error', { hasText: 'co najmniej 10 znaków' }).waitFor({ timeout: WAIT });
    assert.equal(await pw.getAttribute('aria-invalid'), 'true');
    await pw.fill('zielone podwórka 2025');
    await again.fill('zielone podwórka 2026');
    await submit.click();
    await p.page.locator('#confirm-password-error', { hasText: 'Hasła się różnią' }).waitFor({ timeout: WAIT });
    assert.equal(await pw.getAttribute('aria-invalid'), 'false');
    assert.equal(await again.getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await axeViolations(p.page), [], 'invitation page with an error');
    await p.page.screenshot({ path: path.join(shots, 'signin-5-invite-error.png') });
    await again.fill('zielone podwórka 2025');
    await submit.click();

    // Signed in, on the documents list, with the documents of her city.
    await p.page.waitForURL(`${server.httpUrl}/`, { timeout: WAIT });
    await p.page.getByRole('button', { name: 'Renata Rzeszowska' }).waitFor({ timeout: WAIT });
    const hers = await apiDocIds(p.page);
    assert.deepEqual(hers, ['inne-rzeszow', 'notatki-ppp'], 'her city’s document and her city’s network’s');
    await listedEquals(p.page, hers);
    // The password works for signing in from now on, and the link is spent.
    const renata = await apiSession(server.httpUrl, 'radna@rzeszow.example.pl', 'zielone podwórka 2025');
    assert.equal(renata.person.name, 'Renata Rzeszowska');
    const other = await person();
    await other.page.goto(link);
    await other.page.getByLabel('Nowe hasło').fill('inne hasło 12345');
    await other.page.getByLabel('Powtórz hasło').fill('inne hasło 12345');
    await other.page.getByRole('button', { name: 'Ustaw hasło i zaloguj się' }).click();
    await other.page.getByRole('alert').filter({ hasText: 'Ten link jest nieważny, został już użyty albo wygasł' }).waitFor({ timeout: WAIT });
    expectRefusals(/status of 400/);

    // A reset link works the same way.
    const reset = await admin.call('POST', `/admin/people/${renata.person.id}/reset-link`);
    await other.page.goto(reset.body.link);
    await other.page.getByRole('heading', { level: 1, name: 'Ustaw nowe hasło' }).waitFor({ timeout: WAIT });
    await other.page.getByLabel('Nowe hasło').fill('nowe hasło dla Renaty');
    await other.page.getByLabel('Powtórz hasło').fill('nowe hasło dla Renaty');
    await other.page.getByRole('button', { name: 'Zmień hasło i zaloguj się' }).click();
    await other.page.waitForURL(`${server.httpUrl}/`, { timeout: WAIT });
    await other.page.getByRole('button', { name: 'Renata Rzeszowska' }).waitFor({ timeout: WAIT });
    await p.context.close();
    await other.context.close();
  });

  test('signing out returns to the sign-in page and ends the session; signing out everywhere closes open documents', async () => {
    const a = await person();
    const b = await person();
    for (const p of [a, b]) {
      await p.page.goto(`${server.httpUrl}/login?next=${encodeURIComponent('/d/plan-zielone')}`);
      await signIn(p.page, 'moderator@narada.demo');
      await statusText(p.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    }
    // Plain sign-out from the header menu, in the document.
    await a.page.getByRole('button', { name: 'Marek Moderator' }).click();
    await a.page.getByRole('button', { name: 'Wyloguj się', exact: true }).click();
    await a.page.waitForURL('**/login', { timeout: WAIT });
    await a.page.getByRole('heading', { level: 1, name: 'Zaloguj się' }).waitFor({ timeout: WAIT });
    assert.equal((await a.page.request.get(`${server.httpUrl}/api/auth/me`)).status(), 401);
    // The other device is still signed in.
    assert.equal((await b.page.request.get(`${server.httpUrl}/api/auth/me`)).status(), 200);

    // Everywhere: A signs in again and signs out on all devices; B's open document closes.
    await signIn(a.page, 'moderator@narada.demo');
    await a.page.getByRole('heading', { level: 1, name: 'Dokumenty' }).waitFor({ timeout: WAIT });
    await a.page.getByRole('button', { name: 'Marek Moderator' }).click();
    await a.page.getByRole('button', { name: 'Wyloguj się na wszystkich urządzeniach' }).click();
    await a.page.waitForURL('**/login', { timeout: WAIT });
    await b.page.getByRole('alert').filter({ hasText: 'Twoja sesja się skończyła' }).waitFor({ timeout: 5_000 });
    assert.equal(await b.page.locator('.prose').count(), 0, 'the text is off the page');
    await b.page.getByRole('link', { name: 'Zaloguj się' }).waitFor({ timeout: WAIT });
    assert.equal((await b.page.request.get(`${server.httpUrl}/api/auth/me`)).status(), 401);
    expectRefusals(/status of 401/);
    await a.context.close();
    await b.context.close();
  });

  test('losing access while a document is open: a lower role turns it read-only, no role shows a notice', async () => {
    const lucja = ids['lublin@narada.demo'];
    const p = await person();
    await p.page.goto(`${server.httpUrl}/login`);
    await signIn(p.page, 'lublin@narada.demo');
    await p.page.getByRole('heading', { level: 1, name: 'Dokumenty' }).waitFor({ timeout: WAIT });

    // Gdańsk shares its MID with her for editing; she opens it and writes.
    const share = (role) =>
      admin.call('PUT', '/docs/mid-gdansk/shares', { grantee: { kind: 'person', id: lucja }, role });
    assert.equal((await share('editor')).status, 200);
    await p.page.goto(`${server.httpUrl}/d/mid-gdansk`);
    await statusText(p.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    await p.page.getByRole('textbox', { name: /Treść dokumentu/ }).click();
    await p.page.keyboard.type('Uwagi z Lublina.');
    await p.page.locator('.status__save[data-state="saved"]').waitFor({ timeout: WAIT });

    // The share is lowered to reading: her open socket turns read-only in place (a live role
    // change), and the page says why.
    assert.equal((await share('viewer')).status, 200);
    await p.page.getByRole('alert').filter({ hasText: 'możesz teraz tylko czytać' }).waitFor({ timeout: 5_000 });
    await statusText(p.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    assert.equal(await p.page.locator('.prose').getAttribute('contenteditable'), 'false');
    assert.equal(await p.page.evaluate(() => window.narada.session.role), 'viewer');
    await p.page.locator('.prose', { hasText: 'Uwagi z Lublina.' }).waitFor({ timeout: WAIT });

    // Unshared: the text leaves the page and the page says she no longer has access.
    assert.equal((await admin.call('DELETE', `/docs/mid-gdansk/shares/person/${lucja}`)).status, 200);
    await p.page.getByRole('alert').filter({ hasText: 'Nie masz już dostępu do tego dokumentu.' }).waitFor({ timeout: 5_000 });
    assert.equal(await p.page.locator('.prose').count(), 0);
    await p.page.screenshot({ path: path.join(shots, 'signin-6-access-revoked.png') });

    // Membership works the same: removed from Lublin, she loses Lublin's MID while reading it.
    await p.page.goto(`${server.httpUrl}/d/mid-lublin`);
    await statusText(p.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    assert.equal((await admin.call('DELETE', `/admin/people/${lucja}/cities/${ids['Lublin']}`)).status, 200);
    await p.page.getByRole('alert').filter({ hasText: 'Nie masz już dostępu do tego dokumentu.' }).waitFor({ timeout: 5_000 });
    // Opening it again is refused in words.
    await p.page.goto(`${server.httpUrl}/d/mid-lublin`);
    await p.page.getByRole('alert').filter({ hasText: 'Nie masz dostępu do tego dokumentu' }).waitFor({ timeout: WAIT });
    expectRefusals(/status of 403/);
    await p.context.close();
  });

  test('an expired sync token is renewed when the page reconnects', async () => {
    // A server of its own with the shortest token lifetime, on the same database.
    let own = await startServer(ws, { extraEnv: { NARADA_SYNC_TOKEN_TTL: '10s' } });
    const p = await person();
    try {
      await p.page.goto(`${own.httpUrl}/login?next=${encodeURIComponent('/d/plan-cyfrowe')}`);
      await signIn(p.page, 'krakow@narada.demo');
      await statusText(p.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
      const first = await p.page.evaluate(() => window.narada.session.token);
      await p.page.getByRole('textbox', { name: /Treść dokumentu/ }).click();
      await p.page.keyboard.type('Przed wygaśnięciem.');
      await p.page.locator('.status__save[data-state="saved"]').waitFor({ timeout: WAIT });

      await own.kill();
      await statusText(p.page).filter({ hasText: 'Ponowne łączenie' }).waitFor({ timeout: WAIT });
      // Wait (on the clock, polled) until the token the page holds has run out for the server,
      // which counts whole seconds: a token is good through the second `exp` itself.
      await p.page.waitForFunction(
        (token) => (JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).exp + 1) * 1000 < Date.now(),
        first,
        { timeout: 20_000, polling: 250 },
      );
      own = await startServer(ws, { port: own.port, extraEnv: { NARADA_SYNC_TOKEN_TTL: '10s' } });
      await statusText(p.page).filter({ hasText: /^Połączono$/ }).waitFor({ timeout: WAIT });
      assert.notEqual(await p.page.evaluate(() => window.narada.session.token), first, 'a new token');
      await p.page.keyboard.type(' Po wznowieniu.');
      await p.page.locator('.status__save[data-state="saved"]').waitFor({ timeout: WAIT });
      assert.match(await p.page.locator('.prose').textContent(), /Przed wygaśnięciem\. Po wznowieniu\./);
    } finally {
      await p.context.close();
      await own.stop();
      // Refused while the server was down, and once with the expired token after the restart.
      expectRefusals(/ERR_CONNECTION_REFUSED|HTTP Authentication failed/);
    }
  });

  test('the pages raised no script errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
