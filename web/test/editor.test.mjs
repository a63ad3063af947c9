// The editor's content controls in Chromium against the seeded demo, two people signed in to the
// same document in separate browser contexts: tables built with the toolbar and the keyboard,
// tables pasted from Word, LibreOffice, Google Docs and Excel (clipboard HTML samples in
// fixtures/), links through their dialog, underline, strikethrough, quote, rule, alignment and
// the shortcuts dialog. What one person does must arrive, with its structure, at the other.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomDoc } from './support.mjs';
import { WAIT, axeViolations, chromiumSkip, newPerson, signIn, startDemo } from './chromium.mjs';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name) => readFileSync(path.join(fixtures, name), 'utf8');

describe('editor content in Chromium', { skip: chromiumSkip() }, () => {
  let demo;
  const pageErrors = [];

  before(async () => {
    demo = await startDemo();
  });
  after(async () => {
    await demo?.close();
  });

  /** A new blank document of Kraków's (kind "other": no template). */
  async function newDoc(prefix) {
    const title = randomDoc(prefix);
    const r = await demo.admin.call('POST', '/docs', { title, kind: 'other', owner: { kind: 'city', id: demo.ids['Kraków'] } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  }

  /** `email` signs in on the way to `/d/{doc}` in a fresh context and waits for the first sync. */
  async function open(email, doc) {
    const p = await newPerson(demo.browser, pageErrors);
    await p.page.goto(`${demo.server.httpUrl}/login?next=${encodeURIComponent(`/d/${doc}`)}`);
    await signIn(p.page, email);
    await p.page.waitForURL(`**/d/${doc}`, { timeout: WAIT });
    await p.page.locator('.prose[contenteditable="true"]').waitFor({ timeout: WAIT });
    return p;
  }

  /** Clicks `locator` and waits until the editor's caret is in it (ProseMirror takes it on the next event). */
  async function caretInto(page, locator) {
    const text = (await locator.evaluate((el) => {
      const copy = el.cloneNode(true);
      for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
      return copy.textContent;
    })).trim();
    await locator.click();
    await page.waitForFunction((t) => window.narada.editor.state.selection.$from.parent.textContent === t, text, { timeout: WAIT });
  }

  const html = (page) => page.evaluate(() => window.narada.editor.getHTML());
  /** Waits until both pages hold the same document, and returns its HTML. */
  async function converged(a, b) {
    const want = await html(a);
    await b.waitForFunction((w) => window.narada.editor.getHTML() === w, want, { timeout: WAIT });
    return want;
  }
  /** The texts of each table's rows as arrays of cell texts. */
  const tables = (page) =>
    page.evaluate(() =>
      [...document.querySelectorAll('.prose table')].map((t) =>
        [...t.rows].map((r) =>
          [...r.cells].map((c) => {
            // Other people's carets sit in the text as decorations: not part of it.
            const copy = c.cloneNode(true);
            for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
            return `${c.tagName === 'TH' ? '#' : ''}${copy.textContent.trim()}`;
          }),
        ),
      ),
    );

  test('a table built with the toolbar and the keyboard arrives as a table for the other person', async () => {
    const doc = await newDoc('tabela');
    const kasia = await open('krakow@narada.demo', doc);
    const anna = await open('admin@narada.demo', doc);
    const k = kasia.page;
    await k.getByRole('textbox', { name: /Treść dokumentu/ }).click();
    await k.keyboard.type('Działania');
    await k.keyboard.press('Enter');
    await k.getByRole('button', { name: 'Wstaw tabelę' }).click();
    const tableBar = k.getByRole('toolbar', { name: 'Tabela' });
    await tableBar.waitFor({ timeout: WAIT });
    // Tab moves from cell to cell (and adds a row at the end).
    for (const cell of ['Działanie', 'Odpowiedzialny', 'Koszt', 'Podwórka', 'Zarząd Zieleni', '100 000 zł', 'Łąki', 'Rada osiedla', '20 000 zł']) {
      await k.keyboard.type(cell);
      await k.keyboard.press('Tab');
    }
    await k.keyboard.type('Ławki');
    // A row from the keyboard, a column from the table toolbar (the caret stays where it was).
    await k.keyboard.press('Control+Alt+Shift+ArrowDown');
    await k.keyboard.press('ArrowDown');
    // ProseMirror reads a caret moved by a key on 'selectionchange', after the key event: wait
    // for it to be in the new (last) row before typing, as a person's next key would.
    await k.waitForFunction(() => {
      const { $from } = window.narada.editor.state.selection;
      const table = $from.node($from.depth - 3);
      return table?.type.name === 'table' && $from.index($from.depth - 3) === table.childCount - 1;
    }, undefined, { timeout: WAIT });
    await k.keyboard.type('Razem');
    await tableBar.getByRole('button', { name: 'Dodaj kolumnę z prawej' }).click();
    await k.keyboard.press('Tab');
    await k.keyboard.type('Uwagi');
    const texts = (rows) => rows.map((r) => r.map((c) => c.replace(/^#/, '')));
    assert.deepEqual(texts((await tables(k))[0]), [
      ['Działanie', '', 'Odpowiedzialny', 'Koszt'],
      ['Podwórka', '', 'Zarząd Zieleni', '100 000 zł'],
      ['Łąki', '', 'Rada osiedla', '20 000 zł'],
      ['Ławki', '', '', ''],
      ['Razem', 'Uwagi', '', ''],
    ]);
    // The "Ławki" row goes by shortcut, the "Koszt" column by the toolbar.
    await caretInto(k, k.locator('.prose td', { hasText: 'Ławki' }));
    await k.keyboard.press('Control+Alt+Shift+W');
    await caretInto(k, k.locator('.prose th', { hasText: 'Koszt' }));
    await tableBar.getByRole('button', { name: 'Usuń kolumnę' }).click();
    // "Razem" merged with the cell to its right, then split again.
    await k.evaluate(() => {
      const e = window.narada.editor;
      const cells = [];
      e.state.doc.descendants((n, pos) => {
        if (n.type.name === 'tableCell' && (n.textContent === 'Razem' || n.textContent === 'Uwagi')) cells.push(pos);
      });
      if (cells.length !== 2) return e.getHTML();
      e.commands.setCellSelection({ anchorCell: cells[0], headCell: cells[1] });
    }).then((r) => assert.equal(r, undefined));
    await tableBar.getByRole('button', { name: 'Scal komórki' }).click();
    await anna.page.locator('.prose td[colspan="2"]', { hasText: 'RazemUwagi' }).waitFor({ timeout: WAIT });
    await k.keyboard.press('Control+Alt+Shift+P');
    await anna.page.locator('.prose td[colspan="2"]').waitFor({ state: 'detached', timeout: WAIT });
    // The header row can be switched off and on again; the button says which.
    const header = tableBar.getByRole('button', { name: 'Wiersz nagłówka' });
    assert.equal(await header.getAttribute('aria-pressed'), 'true');
    await header.click();
    await anna.page.locator('.prose table th').first().waitFor({ state: 'detached', timeout: WAIT });
    assert.equal(await header.getAttribute('aria-pressed'), 'false');
    await k.keyboard.press('Control+Alt+Shift+H');
    await anna.page.locator('.prose table th', { hasText: 'Działanie' }).waitFor({ timeout: WAIT });

    const result = await converged(k, anna.page);
    assert.match(result, /<table/);
    const final = (await tables(anna.page))[0];
    assert.deepEqual(texts(final), [
      ['Działanie', '', 'Odpowiedzialny'],
      ['Podwórka', '', 'Zarząd Zieleni'],
      ['Łąki', '', 'Rada osiedla'],
      ['RazemUwagi', '', ''],
    ]);
    assert.deepEqual([final[0][0], final[0][2], final[1][0]], ['#Działanie', '#Odpowiedzialny', 'Podwórka'], 'a header row over data cells');
    assert.deepEqual(await axeViolations(k), [], 'editor with the table toolbar (Polish)');
    await k.getByRole('button', { name: 'EN', exact: true }).click();
    await k.getByRole('toolbar', { name: 'Table' }).getByRole('button', { name: 'Merge cells' }).waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(k), [], 'editor with the table toolbar (English)');
    // Out of the table, its toolbar goes away; deleting the table by shortcut.
    await caretInto(k, k.locator('.prose p', { hasText: 'Działania' }));
    await k.getByRole('toolbar', { name: 'Table' }).waitFor({ state: 'hidden', timeout: WAIT });
    await caretInto(k, k.locator('.prose td', { hasText: 'Podwórka' }));
    await k.keyboard.press('Control+Alt+Shift+U');
    await anna.page.locator('.prose table').waitFor({ state: 'detached', timeout: WAIT });
    await kasia.context.close();
    await anna.context.close();
  });

  test('tables pasted from Word, LibreOffice, Google Docs and Excel stay tables', async () => {
    const doc = await newDoc('wklej');
    const kasia = await open('krakow@narada.demo', doc);
    const anna = await open('admin@narada.demo', doc);
    const k = kasia.page;
    const sources = ['word.html', 'libreoffice.html', 'google-docs.html', 'excel.html'];
    await k.getByRole('textbox', { name: /Treść dokumentu/ }).click();
    for (const [i, name] of sources.entries()) {
      // Each paste lands in a new paragraph at the end (pasted into a cell, a table's cells
      // would fill the table there, as in other editors).
      await k.evaluate(() => {
        const e = window.narada.editor;
        e.chain().insertContentAt(e.state.doc.content.size, { type: 'paragraph' }).focus('end').run();
      });
      await k.keyboard.type(`Z pliku ${name}`);
      await k.evaluate((clip) => {
        const data = new DataTransfer();
        data.setData('text/html', clip);
        data.setData('text/plain', 'Działanie\tKoszt\nPodwórka\t100 000 zł');
        const ev = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
        window.narada.editor.view.dom.dispatchEvent(ev);
      }, fixture(name));
      await anna.page.waitForFunction((n) => document.querySelectorAll('.prose table').length === n, i + 1, { timeout: WAIT });
    }
    await converged(k, anna.page);
    const got = await tables(anna.page);
    assert.equal(got.length, 4);
    for (const [i, t] of got.entries()) {
      assert.deepEqual(
        t.map((row) => row.map((c) => c.replace(/^#/, ''))),
        [['Działanie', 'Koszt'], ['Podwórka', '100 000 zł']],
        `${sources[i]}: two rows of two cells`,
      );
    }
    // Nothing ran together into one paragraph (the bug this fixes).
    assert.equal(await anna.page.locator('.prose p', { hasText: 'DziałanieKoszt' }).count(), 0);
    await kasia.context.close();
    await anna.context.close();
  });

  test('links: added, edited, opened in a new tab and removed through an accessible dialog', async () => {
    const doc = await newDoc('linki');
    const kasia = await open('krakow@narada.demo', doc);
    const anna = await open('admin@narada.demo', doc);
    const k = kasia.page;
    await k.getByRole('textbox', { name: /Treść dokumentu/ }).click();
    await k.keyboard.type('Strona miasta');
    await k.keyboard.press('Shift+Home');
    await k.waitForFunction(() => !window.narada.editor.state.selection.empty, undefined, { timeout: WAIT });
    await k.keyboard.press('Control+k');
    const dialog = k.getByRole('dialog', { name: 'Dodaj link' });
    await dialog.waitFor({ timeout: WAIT });
    assert.equal(await k.evaluate(() => document.activeElement?.id), 'link-url');
    // Only http, https and mailto: a script address is refused in words.
    await dialog.getByLabel('Adres').fill('javascript:alert(1)');
    await dialog.getByRole('button', { name: 'Zapisz link' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Link może prowadzić tylko' }).waitFor({ timeout: WAIT });
    assert.equal(await dialog.getByLabel('Adres').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await axeViolations(k), [], 'link dialog with an error');
    await dialog.getByLabel('Adres').fill('www.krakow.pl');
    await dialog.getByRole('button', { name: 'Zapisz link' }).click();
    await dialog.waitFor({ state: 'detached', timeout: WAIT });
    assert.equal(await k.evaluate(() => document.activeElement?.classList.contains('ProseMirror')), true, 'focus back in the text');
    const link = anna.page.locator('.prose a', { hasText: 'Strona miasta' });
    await link.waitFor({ timeout: WAIT });
    assert.equal(await link.getAttribute('href'), 'https://www.krakow.pl');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');

    // With the caret in the link: edit, open in a new tab, remove.
    await caretInto(k, k.locator('.prose a'));
    await k.getByRole('button', { name: 'Link' }).click();
    const edit = k.getByRole('dialog', { name: 'Edytuj link' });
    await edit.waitFor({ timeout: WAIT });
    assert.equal(await edit.getByLabel('Adres').inputValue(), 'https://www.krakow.pl');
    const opener = edit.getByRole('link', { name: /Otwórz link/ });
    assert.equal(await opener.getAttribute('href'), 'https://www.krakow.pl');
    assert.equal(await opener.getAttribute('target'), '_blank');
    assert.equal(await opener.getAttribute('rel'), 'noopener noreferrer');
    assert.match(await opener.textContent(), /w nowej karcie/);
    assert.deepEqual(await axeViolations(k), [], 'link dialog editing a link');
    await edit.getByLabel('Adres').fill('mailto:rada@krakow.pl');
    await edit.getByRole('button', { name: 'Zapisz link' }).click();
    await anna.page.locator('.prose a[href="mailto:rada@krakow.pl"]', { hasText: 'Strona miasta' }).waitFor({ timeout: WAIT });
    await caretInto(k, k.locator('.prose a'));
    await k.keyboard.press('Control+k');
    await k.getByRole('dialog', { name: 'Edytuj link' }).getByRole('button', { name: 'Usuń link' }).click();
    await anna.page.locator('.prose a').waitFor({ state: 'detached', timeout: WAIT });
    assert.equal(await anna.page.evaluate(() => window.narada.editor.getText()), 'Strona miasta');

    // With nothing selected the dialog asks for the text too; Escape closes it unchanged.
    await k.keyboard.press('End');
    await k.keyboard.type(' ');
    await k.keyboard.press('Control+k');
    const add = k.getByRole('dialog', { name: 'Dodaj link' });
    await add.getByRole('button', { name: 'Zapisz link' }).click();
    await add.getByRole('alert').filter({ hasText: 'Podaj tekst linku' }).waitFor({ timeout: WAIT });
    await add.getByLabel('Adres').fill('https://bip.krakow.pl/');
    await add.getByLabel('Tekst linku').fill('BIP');
    await add.getByRole('button', { name: 'Zapisz link' }).click();
    await anna.page.locator('.prose a[href="https://bip.krakow.pl/"]', { hasText: 'BIP' }).waitFor({ timeout: WAIT });

    // A pasted script link keeps its text and loses the link.
    await k.evaluate(() => window.narada.editor.commands.focus('end'));
    await k.evaluate(() => window.narada.editor.view.pasteHTML('<p><a href="javascript:alert(1)">zły link</a> <a href="https://www.gov.pl">dobry</a></p>'));
    await anna.page.locator('.prose a[href="https://www.gov.pl"]').waitFor({ timeout: WAIT });
    await anna.page.locator('.prose', { hasText: 'zły link' }).waitFor({ timeout: WAIT });
    assert.equal(await anna.page.locator('.prose a[href^="javascript"]').count(), 0);

    await k.getByRole('button', { name: 'EN', exact: true }).click();
    await k.getByRole('toolbar', { name: 'Text formatting' }).getByRole('button', { name: 'Link' }).click();
    // The caret is at the end of the pasted link, so the dialog edits it.
    await k.getByRole('dialog', { name: 'Edit link' }).getByLabel('Address').waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(k), [], 'link dialog (English)');
    await k.keyboard.press('Escape');
    await k.getByRole('dialog').waitFor({ state: 'detached', timeout: WAIT });
    await kasia.context.close();
    await anna.context.close();
  });

  test('underline, strikethrough, block quote, horizontal rule and alignment by toolbar and shortcut', async () => {
    const doc = await newDoc('formaty');
    const kasia = await open('krakow@narada.demo', doc);
    const anna = await open('admin@narada.demo', doc);
    const k = kasia.page;
    await k.getByRole('textbox', { name: /Treść dokumentu/ }).click();
    await k.keyboard.press('Control+u');
    await k.keyboard.type('ważne');
    assert.equal(await k.getByRole('button', { name: 'Podkreślenie' }).getAttribute('aria-pressed'), 'true');
    await k.keyboard.press('Control+u');
    await k.keyboard.type(' ');
    await k.getByRole('button', { name: 'Przekreślenie' }).click();
    await k.keyboard.type('nieaktualne');
    await k.keyboard.press('Control+Shift+S');
    await k.keyboard.press('Control+Shift+E');
    assert.equal(await k.getByRole('button', { name: 'Wyśrodkuj' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await k.getByRole('button', { name: 'Wyrównaj do lewej' }).getAttribute('aria-pressed'), 'false');
    await k.keyboard.press('Enter');
    await k.getByRole('button', { name: 'Wyrównaj do prawej' }).click();
    await k.keyboard.type('Podpis');
    await k.keyboard.press('Control+Shift+J');
    await k.keyboard.press('Enter');
    await k.getByRole('button', { name: 'Wyrównaj do lewej' }).click();
    await k.keyboard.press('Control+Alt+R');
    await k.keyboard.press('Control+Shift+B');
    await k.keyboard.type('Cytat z konsultacji');
    assert.equal(await k.getByRole('button', { name: 'Cytat' }).getAttribute('aria-pressed'), 'true');
    await k.keyboard.press('Enter');
    await k.keyboard.press('Enter');
    await k.getByRole('button', { name: 'Linia pozioma' }).click();
    const want =
      '<p style="text-align: center;"><u>ważne</u> <s>nieaktualne</s></p><p style="text-align: justify;">Podpis</p>' +
      '<hr><blockquote><p>Cytat z konsultacji</p></blockquote><hr>';
    await anna.page.waitForFunction((w) => window.narada.editor.getHTML().startsWith(w), want, { timeout: WAIT });
    await converged(k, anna.page);
    await kasia.context.close();
    await anna.context.close();
  });

  test('Ctrl+/ opens the shortcuts dialog, which lists every toolbar control with its key', async () => {
    const doc = await newDoc('skroty');
    const kasia = await open('krakow@narada.demo', doc);
    const k = kasia.page;
    await k.getByRole('textbox', { name: /Treść dokumentu/ }).click();
    const controls = await k.evaluate(() =>
      [...document.querySelectorAll('[role="toolbar"] button')].map((b) => [b.getAttribute('aria-label'), b.getAttribute('aria-keyshortcuts')]),
    );
    // Every control has a shortcut (both toolbars, the table one too while it is hidden).
    assert.ok(controls.length >= 30, `${controls.length} controls`);
    for (const [name, keys] of controls) assert.ok(keys, `${name} has a shortcut`);
    await k.keyboard.press('Control+/');
    const dialog = k.getByRole('dialog', { name: 'Skróty klawiszowe' });
    await dialog.waitFor({ timeout: WAIT });
    const rows = await dialog.evaluate((d) =>
      [...d.querySelectorAll('tbody tr')].map((tr) => [tr.querySelector('th').textContent, tr.querySelector('td').textContent]),
    );
    for (const [name, keys] of controls) {
      const label = name.replace(/, H\d$/, '');
      const shown = keys.replace('Control', 'Ctrl').replace('ArrowUp', '↑').replace('ArrowDown', '↓').replace('ArrowLeft', '←').replace('ArrowRight', '→');
      assert.ok(rows.some(([l, s]) => l === label && s === shown), `${label} (${shown}) listed`);
    }
    assert.ok(rows.some(([l, s]) => l === 'Skróty klawiszowe' && s === 'Ctrl+/'));
    assert.deepEqual(await axeViolations(k), [], 'shortcuts dialog (Polish)');
    await k.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', timeout: WAIT });
    assert.equal(await k.evaluate(() => document.activeElement?.classList.contains('ProseMirror')), true, 'focus back in the text');
    await k.getByRole('button', { name: 'EN', exact: true }).click();
    await k.getByRole('button', { name: 'Keyboard shortcuts' }).click();
    await k.getByRole('dialog', { name: 'Keyboard shortcuts' }).getByRole('rowheader', { name: 'Merge cells' }).waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(k), [], 'shortcuts dialog (English)');
    await kasia.context.close();
  });

  test('the pages raised no script errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
