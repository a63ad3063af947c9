// End to end in a real browser: Debian's Chromium driven by playwright-core, against the real
// narada binary serving the committed web/dist bundle. Two people (two separate browser contexts,
// so no shared storage or BroadcastChannel) open the same document; what one types appears for
// the other, and each sees the other in the presence list. Screenshots go to a temp folder
// (NARADA_SCREENSHOTS to choose it) for a person to look at.
//
// Without /usr/bin/chromium (or CHROMIUM_PATH) the test is skipped with a message, except in CI
// (CI=true), where a missing browser is a failure (see chromium.mjs).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mintToken, randomDoc, startServer, workspace } from './support.mjs';
import { WAIT, axeViolations, chromiumSkip, launchChromium, newPerson, screenshotsDir } from './chromium.mjs';

// These pages open documents by name without signing in: developer tokens, which the server
// hands out only when told to (they are off by default).
const DEV_TOKENS = { NARADA_DEV_TOKENS: 'on' };

describe('the editor in Chromium', { skip: chromiumSkip() }, () => {
  let ws;
  let server;
  let browser;
  let shots;
  const pageErrors = [];

  before(async () => {
    ws = await workspace();
    server = await startServer(ws, { extraEnv: DEV_TOKENS });
    browser = await launchChromium();
    shots = await screenshotsDir();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.cleanup();
  });

  /** A fresh person: own context (own storage), errors collected. */
  const person = (viewport) => newPerson(browser, pageErrors, viewport);

  const statusText = (page) => page.locator('.status__live');

  // Other people's carets sit inside the text as decorations; leave them out when comparing.
  const textWithoutCarets = (locator) =>
    locator.evaluate((el) => {
      const copy = el.cloneNode(true);
      for (const c of copy.querySelectorAll('.collaboration-carets__caret')) c.remove();
      return copy.textContent;
    });

  test('two people edit one document and see each other', async () => {
    const anna = await person();
    const jan = await person();
    const suffix = randomDoc('x').slice(2);
    const typedName = `Plan działań Łódź ${suffix}`;
    const doc = `Plan-dzialan-Lodz-${suffix}`;

    // Anna starts at the landing page.
    await anna.page.goto(`${server.httpUrl}/`);
    assert.equal(await anna.page.getAttribute('html', 'lang'), 'pl');
    await anna.page.getByLabel('Nazwa dokumentu').fill(typedName);
    await anna.page.getByText(`/d/${doc}`).waitFor({ timeout: WAIT });
    await anna.page.getByLabel('Twoje imię i nazwisko').fill('Anna Nowak');
    await anna.page.screenshot({ path: path.join(shots, '1-landing.png') });
    await anna.page.getByRole('button', { name: 'Otwórz dokument' }).click();
    await anna.page.waitForURL(`**/d/${doc}`, { timeout: WAIT });
    await statusText(anna.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    assert.equal(await anna.page.locator('.doc-title__name').textContent(), doc);

    // Jan follows a link straight to the document and is asked his name first.
    await jan.page.goto(`${server.httpUrl}/d/${doc}`);
    await jan.page.getByLabel('Twoje imię i nazwisko').fill('Jan Kowalski');
    await jan.page.getByRole('button', { name: 'Dalej' }).click();
    await statusText(jan.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });

    // Anna writes a heading and a paragraph with bold text, using the toolbar and shortcuts.
    const annaEditor = anna.page.getByRole('textbox', { name: /Treść dokumentu/ });
    await annaEditor.click();
    await anna.page.getByRole('button', { name: 'Nagłówek 1' }).click();
    await anna.page.keyboard.type('Miejska Inicjatywa Działań');
    await anna.page.keyboard.press('Enter');
    await anna.page.keyboard.type('Cel: więcej zieleni na podwórkach. ');
    await anna.page.keyboard.press('Control+b');
    await anna.page.keyboard.type('Termin: 2025.');
    assert.equal(await anna.page.getByRole('button', { name: 'Pogrubienie' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await anna.page.getByRole('button', { name: 'Nagłówek 1' }).getAttribute('aria-pressed'), 'false');

    // Jan sees it, with its structure.
    const janDoc = jan.page.locator('.prose');
    await janDoc.locator('h1', { hasText: 'Miejska Inicjatywa Działań' }).waitFor({ timeout: WAIT });
    await janDoc.locator('p strong', { hasText: 'Termin: 2025.' }).waitFor({ timeout: WAIT });
    assert.equal(await textWithoutCarets(janDoc.locator('p').first()), 'Cel: więcej zieleni na podwórkach. Termin: 2025.');

    // Jan adds a bulleted list; Anna sees it and his caret with his name.
    await jan.page.locator('.prose p').first().click();
    await jan.page.keyboard.press('End');
    // ProseMirror takes a keyboard-moved caret from the DOM on 'selectionchange', which fires
    // after the key event; a robot's next key can come sooner than that, a person's does not.
    await jan.page.waitForFunction(() => {
      const { $from, empty } = window.narada.editor.state.selection;
      return empty && $from.parentOffset === $from.parent.content.size;
    }, undefined, { timeout: WAIT });
    await jan.page.keyboard.press('Enter');
    await jan.page.getByRole('button', { name: 'Lista punktowana' }).click();
    await jan.page.keyboard.type('Działanie 1: inwentaryzacja podwórek');
    await anna.page.locator('.prose ul li', { hasText: 'Działanie 1: inwentaryzacja podwórek' }).waitFor({ timeout: WAIT });
    await anna.page.locator('.collaboration-carets__label', { hasText: 'Jan Kowalski' }).waitFor({ timeout: WAIT });
    const expectedHtml =
      '<h1>Miejska Inicjatywa Działań</h1><p>Cel: więcej zieleni na podwórkach. <strong>Termin: 2025.</strong></p>' +
      '<ul><li><p>Działanie 1: inwentaryzacja podwórek</p></li></ul>';
    const html = (page) => page.evaluate(() => window.narada.editor.getHTML());
    assert.equal(await html(anna.page), expectedHtml);
    assert.equal(await html(jan.page), expectedHtml);

    // Each sees the other in the list of people present.
    await anna.page.locator('.presence__person', { hasText: 'Jan Kowalski' }).waitFor({ timeout: WAIT });
    await jan.page.locator('.presence__person', { hasText: 'Anna Nowak' }).waitFor({ timeout: WAIT });
    assert.match(await anna.page.locator('.presence__count').textContent(), /Obecnych: 2/);

    // Everything is stored: the save hint settles on "saved".
    await anna.page.locator('.status__save[data-state="saved"]').waitFor({ timeout: WAIT });
    await jan.page.locator('.status__save[data-state="saved"]').waitFor({ timeout: WAIT });

    // Undo is Yjs undo: it removes only Jan's own change, not Anna's text.
    await jan.page.getByRole('button', { name: 'Cofnij' }).click();
    await anna.page.locator('.prose ul').waitFor({ state: 'detached', timeout: WAIT });
    assert.equal(await anna.page.locator('.prose h1').textContent(), 'Miejska Inicjatywa Działań');
    assert.equal(
      await html(anna.page),
      '<h1>Miejska Inicjatywa Działań</h1><p>Cel: więcej zieleni na podwórkach. <strong>Termin: 2025.</strong></p>',
    );
    await jan.page.getByRole('button', { name: 'Ponów' }).click();
    await anna.page.locator('.prose ul li', { hasText: 'Działanie 1' }).waitFor({ timeout: WAIT });
    assert.equal(await html(anna.page), expectedHtml);

    await anna.page.screenshot({ path: path.join(shots, '2-editor-anna.png') });
    await jan.page.screenshot({ path: path.join(shots, '3-editor-jan.png') });

    // Jan leaves; Anna's presence list drops him.
    await jan.context.close();
    await anna.page.locator('.presence__person', { hasText: 'Jan Kowalski' }).waitFor({ state: 'detached', timeout: WAIT });

    // The language switch relabels the page and sets <html lang>.
    await anna.page.getByRole('button', { name: 'EN', exact: true }).click();
    assert.equal(await anna.page.getAttribute('html', 'lang'), 'en');
    await statusText(anna.page).filter({ hasText: 'Connected' }).waitFor({ timeout: WAIT });
    await anna.page.getByRole('button', { name: 'Bold' }).waitFor({ timeout: WAIT });
    await anna.page.screenshot({ path: path.join(shots, '4-editor-english.png') });
    await anna.context.close();
  });

  test('the toolbar is usable from the keyboard alone', async () => {
    const p = await person();
    const doc = randomDoc('keyboard');
    await p.page.goto(`${server.httpUrl}/`);
    await p.page.getByLabel('Nazwa dokumentu').fill(doc);
    await p.page.getByLabel('Twoje imię i nazwisko').fill('Klara Klawiatura');
    await p.page.keyboard.press('Enter');
    await statusText(p.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    const editor = p.page.getByRole('textbox', { name: /Treść dokumentu/ });
    await editor.focus();
    await p.page.keyboard.type('Rekomendacja');
    // Shift+Tab from the text reaches the toolbar's single tab stop (the first button).
    await p.page.keyboard.press('Shift+Tab');
    assert.equal(await p.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Zwykły tekst');
    await p.page.keyboard.press('ArrowRight');
    await p.page.keyboard.press('ArrowRight');
    assert.equal(await p.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Nagłówek 2, H2');
    await p.page.keyboard.press('Enter');
    await p.page.locator('.prose h2', { hasText: 'Rekomendacja' }).waitFor({ timeout: WAIT });
    assert.equal(await p.page.getByRole('button', { name: 'Nagłówek 2' }).getAttribute('aria-pressed'), 'true');
    // Applying a format returns focus to the text, where typing goes on.
    assert.equal(await p.page.evaluate(() => document.activeElement?.classList.contains('ProseMirror')), true);
    await p.page.keyboard.type(' miejska');
    await p.page.locator('.prose h2', { hasText: 'Rekomendacja miejska' }).waitFor({ timeout: WAIT });
    // Back in the toolbar, the roving tab stop remembers the last button used.
    await p.page.keyboard.press('Shift+Tab');
    assert.equal(await p.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Nagłówek 2, H2');
    await p.page.keyboard.press('End');
    assert.equal(await p.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Ponów');
    // Focus is visible: the focused button has an outline.
    const outline = await p.page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.equal(outline, 'solid');
    await p.context.close();
  });

  test('a viewer link opens the document read-only and keeps the token out of the address bar', async () => {
    const doc = randomDoc('readonly');
    const editorTok = await mintToken(ws, { doc, user: 'Ewa Redaktor', role: 'editor' });
    const viewerTok = await mintToken(ws, { doc, user: 'Wiktor Widz', role: 'viewer' });
    const ed = await person();
    await ed.page.goto(`${server.httpUrl}/d/${doc}?token=${encodeURIComponent(editorTok)}`);
    await ed.page.getByLabel('Twoje imię i nazwisko').fill('Ewa Redaktor');
    await ed.page.getByRole('button', { name: 'Dalej' }).click();
    await statusText(ed.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    assert.equal(new URL(ed.page.url()).search, '', 'token removed from the URL');
    await ed.page.getByRole('textbox', { name: /Treść dokumentu/ }).click();
    await ed.page.keyboard.type('Tekst redaktorki.');

    const viewer = await person({ width: 900, height: 700 });
    await viewer.page.goto(`${server.httpUrl}/d/${doc}?token=${encodeURIComponent(viewerTok)}`);
    // The name field is prefilled from the token.
    assert.equal(await viewer.page.getByLabel('Twoje imię i nazwisko').inputValue(), 'Wiktor Widz');
    await viewer.page.getByRole('button', { name: 'Dalej' }).click();
    await statusText(viewer.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    await viewer.page.getByText('Tylko do odczytu').waitFor({ timeout: WAIT });
    await viewer.page.locator('.prose', { hasText: 'Tekst redaktorki.' }).waitFor({ timeout: WAIT });
    assert.equal(await viewer.page.locator('.prose').getAttribute('contenteditable'), 'false');
    assert.equal(await viewer.page.getByRole('toolbar').count(), 0, 'no formatting toolbar for a viewer');
    await viewer.page.screenshot({ path: path.join(shots, '5-viewer.png') });

    // Live edits still reach the viewer.
    await ed.page.keyboard.type(' Dalszy ciąg.');
    await viewer.page.locator('.prose', { hasText: 'Dalszy ciąg.' }).waitFor({ timeout: WAIT });
    await ed.context.close();
    await viewer.context.close();
  });

  test('the status follows the server going away and coming back; offline edits are kept', async () => {
    // A server of its own, so it can be killed; restarted on the same port and database so the
    // page reconnects by itself.
    let own = await startServer(ws, { extraEnv: DEV_TOKENS });
    const p = await person();
    try {
      const doc = randomDoc('outage');
      await p.page.goto(`${own.httpUrl}/`);
      await p.page.getByLabel('Nazwa dokumentu').fill(doc);
      await p.page.getByLabel('Twoje imię i nazwisko').fill('Olga Odporna');
      await p.page.keyboard.press('Enter');
      await statusText(p.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
      await p.page.getByRole('textbox', { name: /Treść dokumentu/ }).click();
      await p.page.keyboard.type('Przed awarią.');
      await p.page.locator('.status__save[data-state="saved"]').waitFor({ timeout: WAIT });

      await own.kill();
      await statusText(p.page).filter({ hasText: 'Ponowne łączenie' }).waitFor({ timeout: WAIT });
      await p.page.keyboard.type(' W trakcie awarii.');
      // The page keeps a copy on the device (IndexedDB) and says the changes are safe there.
      await statusText(p.page).filter({ hasText: 'Zmiany zapisane na tym urządzeniu, czekają na wysłanie' }).waitFor({ timeout: WAIT });
      await p.page.screenshot({ path: path.join(shots, '6-reconnecting.png') });

      // The browser itself going offline is told apart from a server outage.
      await p.context.setOffline(true);
      await statusText(p.page).filter({ hasText: 'Brak połączenia z siecią' }).waitFor({ timeout: WAIT });
      await p.context.setOffline(false);

      own = await startServer(ws, { port: own.port, extraEnv: DEV_TOKENS });
      await statusText(p.page).filter({ hasText: /^Połączono$/ }).waitFor({ timeout: WAIT });
      await p.page.locator('.status__save[data-state="saved"]').waitFor({ timeout: WAIT });

      // Someone opening the document now gets both sentences from the server.
      const other = await person();
      await other.page.goto(`${own.httpUrl}/d/${doc}`);
      await other.page.getByLabel('Twoje imię i nazwisko').fill('Piotr Późniejszy');
      await other.page.getByRole('button', { name: 'Dalej' }).click();
      await other.page.locator('.prose', { hasText: 'Przed awarią. W trakcie awarii.' }).waitFor({ timeout: WAIT });
      await other.context.close();
    } finally {
      await p.context.close();
      await own.stop();
      // The refused reconnects during the outage are logged by the browser: expected here.
      pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !/ERR_CONNECTION_REFUSED|ERR_INTERNET_DISCONNECTED/.test(e)));
    }
  });

  test('when the server refuses a write, the page turns read-only and shows the server text', async () => {
    // The server refuses writes by role, and the page already opens read-only for a viewer's
    // token; this is the case where the page believed it could write (say, access was reduced
    // after the link was made). The socket is passed through, except that the page's first
    // update is dropped and answered with the y-protocols auth message, as the server does.
    const p = await person();
    const doc = randomDoc('denied');
    let refused = 0;
    await p.page.routeWebSocket(/\/sync\//, (pageSide) => {
      const serverSide = pageSide.connectToServer();
      pageSide.onMessage((msg) => {
        const b = Buffer.isBuffer(msg) ? msg : Buffer.from(msg);
        if (b[0] === 0 && b[1] === 2 && refused === 0) {
          refused += 1;
          const reason = Buffer.from('permission denied');
          pageSide.send(Buffer.concat([Buffer.from([2, 0, reason.length]), reason]));
          return;
        }
        serverSide.send(msg);
      });
      serverSide.onMessage((msg) => pageSide.send(msg));
    });
    await p.page.goto(`${server.httpUrl}/`);
    await p.page.getByLabel('Nazwa dokumentu').fill(doc);
    await p.page.getByLabel('Twoje imię i nazwisko').fill('Roman Odmowa');
    await p.page.keyboard.press('Enter');
    await statusText(p.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    await p.page.getByRole('textbox', { name: /Treść dokumentu/ }).click();
    await p.page.keyboard.type('X');
    await p.page.getByRole('alert').filter({ hasText: 'masz dostęp tylko do odczytu' }).waitFor({ timeout: WAIT });
    await p.page.locator('.badge--readonly', { hasText: 'Tylko do odczytu' }).waitFor({ timeout: WAIT });
    await statusText(p.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    assert.equal(await p.page.locator('.prose').getAttribute('contenteditable'), 'false');
    assert.equal(await p.page.evaluate(() => window.narada.editor.getText()), '', 'the refused text is gone');
    assert.equal(await p.page.getByRole('toolbar').count(), 0);
    assert.equal(refused, 1);
    await p.page.screenshot({ path: path.join(shots, '7-denied.png') });
    await p.context.close();
  });

  test('without a link or developer tokens the page says to ask an administrator', async () => {
    const p = await person();
    await p.page.route('**/api/dev/token', (route) => route.fulfill({ status: 404, body: 'not found' }));
    // An address whose document name the server would refuse lands on the form, name suggested.
    await p.page.goto(`${server.httpUrl}/d/${encodeURIComponent('Zła nazwa!')}`);
    assert.equal(await p.page.getByLabel('Nazwa dokumentu').inputValue(), 'Zla-nazwa');
    await p.page.getByLabel('Nazwa dokumentu').fill(randomDoc('nolink'));
    await p.page.getByLabel('Twoje imię i nazwisko').fill('Zofia');
    await p.page.getByRole('button', { name: 'Otwórz dokument' }).click();
    await p.page.getByRole('alert').filter({ hasText: 'Poproś administratora o link' }).waitFor({ timeout: WAIT });
    // The 404 we staged is logged by the browser; it is the only error expected here.
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !/404/.test(e)));
    await p.context.close();
  });

  test('axe-core finds no WCAG 2.1 A/AA violations on the pages', async () => {
    const p = await person();
    const doc = randomDoc('a11y');
    await p.page.goto(`${server.httpUrl}/`);
    assert.deepEqual(await axeViolations(p.page), [], 'landing page');
    // With validation errors showing.
    await p.page.getByRole('button', { name: 'Otwórz dokument' }).click();
    await p.page.locator('.error-summary').waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(p.page), [], 'landing page with errors');

    await p.page.getByLabel('Nazwa dokumentu').fill(doc);
    await p.page.getByLabel('Twoje imię i nazwisko').fill('Ada Dostępna');
    await p.page.keyboard.press('Enter');
    await statusText(p.page).filter({ hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    await p.page.getByRole('textbox', { name: /Treść dokumentu/ }).click();
    await p.page.keyboard.press('Control+Alt+1');
    await p.page.keyboard.type('Plan Ulepszeń');
    await p.page.keyboard.press('Enter');
    await p.page.keyboard.type('Rekomendacje dla sieci Miasto Zielone.');
    await p.page.locator('.status__save[data-state="saved"]').waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(p.page), [], 'editor page (Polish)');
    await p.page.getByRole('button', { name: 'EN', exact: true }).click();
    await statusText(p.page).filter({ hasText: 'Connected' }).waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(p.page), [], 'editor page (English)');

    const viewerTok = await mintToken(ws, { doc, user: 'Wanda', role: 'viewer' });
    const v = await person();
    await v.page.goto(`${server.httpUrl}/d/${doc}?token=${encodeURIComponent(viewerTok)}`);
    await v.page.getByRole('button', { name: 'Dalej' }).click();
    await v.page.locator('.prose h1', { hasText: 'Plan Ulepszeń' }).waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(v.page), [], 'read-only editor page');
    await p.context.close();
    await v.context.close();
  });

  test('the pages raised no script errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
