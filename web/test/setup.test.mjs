// First-run setup in a real browser: Debian's Chromium (playwright-core) against the real narada
// binary on an empty database. The server writes a one-time code to its log; the landing page
// sends the visitor to /setup, which refuses an empty form and a wrong code accessibly, in Polish
// and English, and with the code from the log creates the first administrator, who lands signed
// in on the documents list. Afterwards /setup says there is nothing to set up, and the landing
// page is the sign-in page again.
//
// Every wait is on a page element, a response or a condition with a timeout; nothing sleeps.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { apiSession, startServer, workspace } from './support.mjs';
import { WAIT, axeViolations, chromiumSkip, launchChromium, newPerson, screenshotsDir, signIn } from './chromium.mjs';

const PASSWORD = 'pierwsza administratorka';

describe('first-run setup, in Chromium', { skip: chromiumSkip() }, () => {
  let ws;
  let server;
  let browser;
  let shots;
  let code;
  let setupUrl;
  const pageErrors = [];
  /** Drops the browser's log lines for refusals a test provoked on purpose. */
  const expectRefusals = (re) => pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !re.test(e)));

  before(async () => {
    ws = await workspace();
    server = await startServer(ws);
    browser = await launchChromium();
    shots = await screenshotsDir();
    // The Jupyter/Grafana convention: the code is in the log, with where to enter it.
    const m = /first-run setup: open (\S+)\/setup and enter code ([2-9A-Z]{4}-[2-9A-Z]{4})/.exec(server.log);
    assert.ok(m, `the log names the setup page and code:\n${server.log}`);
    [, setupUrl, code] = m;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.cleanup();
  });

  test('the log points at this server', () => {
    assert.equal(setupUrl, server.httpUrl);
  });

  test('the landing page leads to setup, which refuses a wrong code in words, in both languages', async () => {
    const p = await newPerson(browser, pageErrors);
    await p.page.goto(`${server.httpUrl}/`);
    await p.page.waitForURL(`${server.httpUrl}/setup`, { timeout: WAIT });
    await p.page.getByRole('heading', { level: 1, name: 'Pierwsze uruchomienie Narady' }).waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(p.page), [], 'setup page');
    await p.page.screenshot({ path: path.join(shots, 'setup-1-form.png') });

    // Empty: every field says what it needs; the summary takes focus.
    await p.page.getByRole('button', { name: 'Załóż konto administratora i zaloguj się' }).click();
    await p.page.getByRole('alert').filter({ hasText: 'Podaj kod z dziennika serwera.' }).waitFor({ timeout: WAIT });
    for (const label of ['Kod z dziennika serwera', 'Imię i nazwisko', 'Adres e-mail', 'Nowe hasło', 'Powtórz hasło']) {
      assert.equal(await p.page.getByLabel(label, { exact: true }).getAttribute('aria-invalid'), 'true', label);
    }
    assert.equal(await p.page.evaluate(() => document.activeElement?.className), 'problem-summary');
    assert.deepEqual(await axeViolations(p.page), [], 'setup page with errors');

    // A wrong code: refused by the server, told at the code field.
    await p.page.getByLabel('Kod z dziennika serwera').fill('ZZZZ-ZZZZ');
    await p.page.getByLabel('Imię i nazwisko', { exact: true }).fill('Anna Nowak');
    await p.page.getByLabel('Adres e-mail').fill('anna.nowak@mfipr.gov.pl');
    await p.page.getByLabel('Nowe hasło').fill(PASSWORD);
    await p.page.getByLabel('Powtórz hasło').fill(PASSWORD);
    const answered = p.page.waitForResponse((r) => r.url().endsWith('/api/setup') && r.request().method() === 'POST', { timeout: WAIT });
    await p.page.getByRole('button', { name: 'Załóż konto administratora i zaloguj się' }).click();
    assert.equal((await answered).status(), 403);
    await p.page.locator('#setup-code-error', { hasText: 'Ten kod jest nieprawidłowy.' }).waitFor({ timeout: WAIT });
    const codeField = p.page.getByLabel('Kod z dziennika serwera');
    assert.equal(await codeField.getAttribute('aria-invalid'), 'true');
    assert.match(await codeField.getAttribute('aria-describedby'), /\bsetup-code-error\b/);
    expectRefusals(/status of 403/);
    await p.page.screenshot({ path: path.join(shots, 'setup-2-wrong-code.png') });

    // In English the page, and the refusal, say the same.
    await p.page.getByRole('button', { name: 'EN', exact: true }).click();
    await p.page.getByRole('heading', { level: 1, name: 'Setting up Narada' }).waitFor({ timeout: WAIT });
    await p.page.locator('#setup-code-error', { hasText: 'This code is wrong.' }).waitFor({ timeout: WAIT });
    await p.page.getByLabel('Code from the server log').waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(p.page), [], 'setup page in English, with an error');
    await p.page.getByRole('button', { name: 'PL', exact: true }).click();
    await p.context.close();
  });

  test('the code from the log creates the first administrator, signed in, once', async () => {
    const p = await newPerson(browser, pageErrors);
    await p.page.goto(`${server.httpUrl}/setup`);
    // As people type it: lower case, no dash.
    await p.page.getByLabel('Kod z dziennika serwera').fill(code.toLowerCase().replace('-', ''));
    await p.page.getByLabel('Imię i nazwisko', { exact: true }).fill('Anna Nowak');
    await p.page.getByLabel('Adres e-mail').fill('anna.nowak@mfipr.gov.pl');
    await p.page.getByLabel('Nowe hasło').fill(PASSWORD);
    await p.page.getByLabel('Powtórz hasło').fill(PASSWORD);
    await p.page.getByRole('button', { name: 'Załóż konto administratora i zaloguj się' }).click();
    await p.page.waitForURL(`${server.httpUrl}/`, { timeout: WAIT });
    await p.page.getByRole('heading', { level: 1, name: 'Dokumenty' }).waitFor({ timeout: WAIT });
    await p.page.getByRole('button', { name: 'Anna Nowak' }).waitFor({ timeout: WAIT });
    const me = await p.page.evaluate(async () => (await (await fetch('/api/auth/me')).json()).person);
    assert.equal(me.role, 'admin');
    assert.equal(me.email, 'anna.nowak@mfipr.gov.pl');
    assert.deepEqual(await p.page.evaluate(async () => (await fetch('/api/setup')).json()), { pending: false });
    await p.page.screenshot({ path: path.join(shots, 'setup-3-signed-in.png') });
    await p.context.close();

    // Her password signs her in (from Node, as the API sees it).
    const again = await apiSession(server.httpUrl, 'anna.nowak@mfipr.gov.pl', PASSWORD);
    assert.equal(again.person.role, 'admin');
  });

  test('afterwards setup offers nothing, and the landing page is the sign-in page', async () => {
    const p = await newPerson(browser, pageErrors);
    await p.page.goto(`${server.httpUrl}/setup`);
    await p.page.getByRole('status').filter({ hasText: 'Narada ma już administratora.' }).waitFor({ timeout: WAIT });
    assert.equal(await p.page.getByRole('button', { name: 'Załóż konto administratora i zaloguj się' }).isHidden(), true, 'no form');
    assert.deepEqual(await axeViolations(p.page), [], 'setup page when done');
    await p.page.getByRole('link', { name: 'Zaloguj się' }).click();
    await p.page.waitForURL(`${server.httpUrl}/login`, { timeout: WAIT });
    await p.page.goto(`${server.httpUrl}/`);
    await p.page.getByRole('heading', { level: 1, name: 'Zaloguj się' }).waitFor({ timeout: WAIT });
    assert.equal(new URL(p.page.url()).pathname, '/');
    await signIn(p.page, 'anna.nowak@mfipr.gov.pl', PASSWORD);
    await p.page.getByRole('heading', { level: 1, name: 'Dokumenty' }).waitFor({ timeout: WAIT });
    // The old code is spent.
    const status = await p.page.evaluate(async (c) => {
      const r = await fetch('/api/setup', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: c, email: 'intruz@x.pl', name: 'Intruz', password: 'intruz-intruz-intruz' }),
      });
      return r.status;
    }, code);
    assert.equal(status, 404);
    expectRefusals(/status of 404/);
    await p.context.close();
  });

  test('the pages raised no script errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
