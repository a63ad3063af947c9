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
    await k.waitForFunction(() => {
      const { selection, doc } = window.narada.editor.state;
      return selection.empty && selection.from === doc.content.size - 1;
    }, undefined, { timeout: WAIT });
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

  /** A long plan: headings with enough paragraphs between them that each is a screen apart. */
  const longPlan = () => {
    const filler = (n) => Array.from({ length: 14 }, (_, i) => `<p>Akapit ${n}.${i + 1}: opis stanu podwórek i zieleni.</p>`).join('');
    return `<h1>Diagnoza</h1>${filler(1)}<h2>Cele</h2>${filler(2)}<h2>Działania</h2>${filler(3)}<h3>Budżet</h3>${filler(4)}`;
  };

  test('the outline lists the headings; a click or Enter jumps to one and the current section is marked', async () => {
    const doc = await newDoc('spis');
    const kasia = await open('krakow@narada.demo', doc);
    const anna = await open('admin@narada.demo', doc);
    await kasia.page.evaluate((h) => window.narada.editor.commands.setContent(h), longPlan());
    const a = anna.page;
    const outline = a.getByRole('navigation', { name: 'Spis treści' });
    await outline.getByRole('button', { name: 'Budżet' }).waitFor({ timeout: WAIT });
    assert.deepEqual(await outline.getByRole('button').allTextContents(), ['Diagnoza', 'Cele', 'Działania', 'Budżet']);
    assert.deepEqual(
      await outline.locator('li').evaluateAll((lis) => lis.map((li) => li.className.replace('outline__entry ', ''))),
      ['outline__entry--h1', 'outline__entry--h2', 'outline__entry--h2', 'outline__entry--h3'],
    );
    const current = () => outline.locator('[aria-current="location"]').allTextContents();
    const inView = (text) =>
      a.locator('.prose h2, .prose h3', { hasText: text }).evaluate((h) => {
        const r = h.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      });
    assert.equal(await inView('Działania'), false, 'far below at first');
    // A click jumps: the caret is in the heading, the heading in view, its entry current.
    await outline.getByRole('button', { name: 'Działania' }).click();
    await a.waitForFunction(() => window.narada.editor.state.selection.$from.parent.textContent === 'Działania', undefined, { timeout: WAIT });
    assert.equal(await inView('Działania'), true);
    await a.waitForFunction(() => document.querySelector('.outline [aria-current="location"]')?.textContent === 'Działania', undefined, { timeout: WAIT });
    assert.equal(await a.evaluate(() => document.activeElement?.classList.contains('ProseMirror')), true, 'focus in the text');
    // Moving the caret on into the section below keeps the right entry current.
    await a.keyboard.press('ArrowDown');
    await a.keyboard.press('ArrowDown');
    await a.waitForFunction(() => window.narada.editor.state.selection.$from.parent.textContent.startsWith('Akapit 3.'), undefined, { timeout: WAIT });
    assert.deepEqual(await current(), ['Działania']);
    // The keyboard: Enter on an entry jumps the same way.
    await outline.getByRole('button', { name: 'Budżet' }).focus();
    await a.keyboard.press('Enter');
    await a.waitForFunction(() => document.querySelector('.outline [aria-current="location"]')?.textContent === 'Budżet', undefined, { timeout: WAIT });
    assert.equal(await inView('Budżet'), true);
    assert.deepEqual(await current(), ['Budżet'], 'exactly one entry is current');
    // Another person's change to a heading shows in the outline.
    await kasia.page.evaluate(() => {
      const e = window.narada.editor;
      let at = -1;
      e.state.doc.descendants((n, pos) => {
        if (n.type.name === 'heading' && n.textContent === 'Cele') at = pos;
      });
      e.chain().setTextSelection(at + 1 + 'Cele'.length).insertContent(' i wskaźniki').run();
    });
    await outline.getByRole('button', { name: 'Cele i wskaźniki' }).waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(a), [], 'editor page with the outline (Polish)');
    await a.getByRole('button', { name: 'EN', exact: true }).click();
    await a.getByRole('navigation', { name: 'Contents' }).waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(a), [], 'editor page with the outline (English)');
    await a.screenshot({ path: path.join(demo.shots, 'editor-outline.png') });
    await kasia.context.close();
    await anna.context.close();
  });

  test('find and replace: match count, case option, next and previous, replace all as one undo step', async () => {
    const doc = await newDoc('szukaj');
    const kasia = await open('krakow@narada.demo', doc);
    const anna = await open('admin@narada.demo', doc);
    const k = kasia.page;
    const count = k.locator('#find-count');
    await k.getByRole('textbox', { name: /Treść dokumentu/ }).click();
    await k.keyboard.type('Podwórko i podwórko. PODWÓRKO na końcu.');
    await k.keyboard.press('Enter');
    await k.keyboard.type('Drugie podwórko.');
    const typed = '<p>Podwórko i podwórko. PODWÓRKO na końcu.</p><p>Drugie podwórko.</p>';
    await anna.page.waitForFunction((w) => window.narada.editor.getHTML() === w, typed, { timeout: WAIT });

    await k.keyboard.press('Control+f');
    const bar = k.getByRole('search', { name: 'Znajdź i zamień' });
    await bar.waitFor({ timeout: WAIT });
    assert.equal(await k.evaluate(() => document.activeElement?.id), 'find-query');
    assert.equal(await bar.getByLabel('Zamień na').isVisible(), false, 'Ctrl+F: find only');
    await k.keyboard.type('podwórko');
    await count.filter({ hasText: 'Wynik 1 z 4' }).waitFor({ timeout: WAIT });
    assert.equal(await k.locator('.prose .find-match').count(), 4);
    assert.equal(await count.getAttribute('role'), 'status');
    await bar.getByLabel('Uwzględniaj wielkość liter').check();
    await count.filter({ hasText: 'Wynik 1 z 2' }).waitFor({ timeout: WAIT });
    await k.keyboard.press('Tab');
    await bar.getByLabel('Znajdź', { exact: true }).focus();
    await k.keyboard.press('Enter');
    await count.filter({ hasText: 'Wynik 2 z 2' }).waitFor({ timeout: WAIT });
    await k.keyboard.press('Enter');
    await count.filter({ hasText: 'Wynik 1 z 2' }).waitFor({ timeout: WAIT });
    await k.keyboard.press('Shift+Enter');
    await count.filter({ hasText: 'Wynik 2 z 2' }).waitFor({ timeout: WAIT });
    assert.equal(await k.locator('.prose .find-match--current').textContent(), 'podwórko');
    await bar.getByLabel('Uwzględniaj wielkość liter').uncheck();
    await count.filter({ hasText: /z 4$/ }).waitFor({ timeout: WAIT });
    await bar.getByLabel('Znajdź', { exact: true }).focus();
    await k.keyboard.press('Escape');
    await bar.waitFor({ state: 'hidden', timeout: WAIT });
    assert.equal(await k.locator('.prose .find-match').count(), 0, 'highlights go with the bar');
    assert.equal(await k.evaluate(() => document.activeElement?.classList.contains('ProseMirror')), true, 'focus back in the text');

    // Typed just now, then replaced at once: one undo takes back the replacement only.
    await k.keyboard.press('Control+End');
    await k.waitForFunction(() => window.narada.editor.state.selection.from === window.narada.editor.state.doc.content.size - 1, undefined, { timeout: WAIT });
    await k.keyboard.type(' Koniec podwórko');
    await k.keyboard.press('Control+h');
    await bar.getByLabel('Zamień na').waitFor({ timeout: WAIT });
    assert.equal(await k.evaluate(() => document.activeElement?.id), 'find-replacement', 'the query is kept; focus on the replacement');
    await count.filter({ hasText: 'z 5' }).waitFor({ timeout: WAIT });
    await k.keyboard.type('skwer');
    assert.deepEqual(await axeViolations(k), [], 'find and replace bar (Polish)');
    await bar.getByRole('button', { name: 'Zamień wszystkie' }).click();
    await count.filter({ hasText: 'Zamieniono: 5. Brak wyników' }).waitFor({ timeout: WAIT });
    const replaced = '<p>skwer i skwer. skwer na końcu.</p><p>Drugie skwer. Koniec skwer</p>';
    await anna.page.waitForFunction((w) => window.narada.editor.getHTML() === w, replaced, { timeout: WAIT });
    await k.getByRole('button', { name: 'Cofnij' }).click();
    const beforeReplace = '<p>Podwórko i podwórko. PODWÓRKO na końcu.</p><p>Drugie podwórko. Koniec podwórko</p>';
    await anna.page.waitForFunction((w) => window.narada.editor.getHTML() === w, beforeReplace, { timeout: WAIT });
    assert.equal(await html(k), beforeReplace, 'one undo: every replacement back, the typing kept');
    await k.getByRole('button', { name: 'Ponów' }).click();
    await anna.page.waitForFunction((w) => window.narada.editor.getHTML() === w, replaced, { timeout: WAIT });
    await k.getByRole('button', { name: 'Cofnij' }).click();
    await anna.page.waitForFunction((w) => window.narada.editor.getHTML() === w, beforeReplace, { timeout: WAIT });

    // Replace one at a time: the current match only, then on to the next.
    await k.keyboard.press('Control+h');
    await bar.getByLabel('Znajdź', { exact: true }).fill('PODWÓRKO');
    await bar.getByLabel('Uwzględniaj wielkość liter').check();
    await count.filter({ hasText: 'Wynik 1 z 1' }).waitFor({ timeout: WAIT });
    await bar.getByLabel('Zamień na').fill('Park');
    await bar.getByRole('button', { name: 'Zamień', exact: true }).click();
    await anna.page.locator('.prose p', { hasText: 'Park na końcu.' }).waitFor({ timeout: WAIT });
    await count.filter({ hasText: 'Brak wyników' }).waitFor({ timeout: WAIT });
    await k.getByRole('button', { name: 'EN', exact: true }).click();
    await k.getByRole('search', { name: 'Find and replace' }).getByLabel('Replace with').waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(k), [], 'find and replace bar (English)');
    await k.screenshot({ path: path.join(demo.shots, 'editor-find.png') });
    await kasia.context.close();
    await anna.context.close();
  });

  test('the word and character count follows the text, in Polish and English', async () => {
    const doc = await newDoc('licz');
    const kasia = await open('krakow@narada.demo', doc);
    const k = kasia.page;
    const stats = k.locator('.doc-stats');
    assert.equal(await stats.textContent(), 'Słowa: 0 · Znaki: 0');
    await k.getByRole('textbox', { name: /Treść dokumentu/ }).click();
    await k.keyboard.type('Jedno dwa trzy');
    await stats.filter({ hasText: 'Słowa: 3 · Znaki: 14' }).waitFor({ timeout: WAIT });
    await k.keyboard.press('Enter');
    await k.keyboard.type('cztery');
    await stats.filter({ hasText: 'Słowa: 4' }).waitFor({ timeout: WAIT });
    await k.getByRole('button', { name: 'EN', exact: true }).click();
    await stats.filter({ hasText: /^Words: 4 · Characters: \d+$/ }).waitFor({ timeout: WAIT });
    await kasia.context.close();
  });

  test('print media shows only the document, with its title and date, margins and headings kept with their text', async () => {
    const doc = await newDoc('druk');
    const title = (await demo.admin.call('GET', `/docs/${doc}`)).body.title;
    const kasia = await open('krakow@narada.demo', doc);
    const k = kasia.page;
    await k.evaluate((h) => window.narada.editor.commands.setContent(h), `${longPlan()}<table><tr><th>Działanie</th><th>Koszt</th></tr><tr><td>Podwórka</td><td>100 000 zł</td></tr></table>`);
    await k.getByRole('button', { name: 'Wstaw tabelę' }).waitFor({ timeout: WAIT });
    assert.equal(await k.locator('.print-header').isVisible(), false, 'no print header on screen');
    await k.emulateMedia({ media: 'print' });
    for (const chrome of ['.topbar', '.toolbar-wrap', '.outline', '.doc-stats', '.skip-link']) {
      assert.equal(await k.locator(chrome).first().isVisible(), false, `${chrome} is not printed`);
    }
    assert.equal(await k.locator('.prose h1', { hasText: 'Diagnoza' }).isVisible(), true);
    assert.equal(await k.locator('.prose table').isVisible(), true);
    const header = k.locator('.print-header');
    assert.equal(await header.isVisible(), true);
    assert.equal(await header.locator('.print-header__title').textContent(), title);
    const today = await k.evaluate(() => new Intl.DateTimeFormat('pl', { dateStyle: 'long' }).format(new Date()));
    assert.equal(await header.locator('.print-header__date').textContent(), `Wydrukowano ${today}`);
    const style = await k.evaluate(() => {
      const h = getComputedStyle(document.querySelector('.prose h2'));
      const page = document.querySelector('.document__page');
      let margin = '';
      for (const sheet of document.styleSheets) for (const rule of sheet.cssRules) if (rule instanceof CSSPageRule) margin = rule.style.margin;
      return { breakAfter: h.breakAfter, border: getComputedStyle(page).borderTopStyle, margin };
    });
    assert.deepEqual(style, { breakAfter: 'avoid', border: 'none', margin: '2cm 2cm 2.2cm' });
    await k.screenshot({ path: path.join(demo.shots, 'editor-print.png'), fullPage: false });
    // Only what is on the page: nothing of the interface is in the printed text.
    const printed = await k.evaluate(() => document.body.innerText);
    for (const word of ['Narada', 'Połączono', 'Spis treści', 'Pogrubienie']) assert.ok(!printed.includes(word), `"${word}" is not printed`);
    await k.emulateMedia({ media: 'screen' });
    await kasia.context.close();
  });

  test('an edit made offline survives a closed tab and reaches the server on the next visit; signing out clears the copy', async () => {
    const doc = await newDoc('offline');
    const kasia = await open('krakow@narada.demo', doc);
    const live = kasia.page.locator('.status__live');
    // The sync socket through a switch: when it is off, open sockets are cut and new ones refused.
    let blocked = false;
    const sockets = new Set();
    await kasia.context.routeWebSocket(/\/sync\//, (ws) => {
      if (blocked) {
        ws.close({ code: 1011, reason: 'blocked by the test' });
        return;
      }
      const server = ws.connectToServer();
      sockets.add({ ws, server });
    });
    // The page opened before the route existed: reload so its socket goes through it.
    await kasia.page.reload();
    await kasia.page.locator('.prose[contenteditable="true"]').waitFor({ timeout: WAIT });
    const k = kasia.page;
    await k.getByRole('textbox', { name: /Treść dokumentu/ }).click();
    await k.keyboard.type('Przed podróżą.');
    await k.locator('.status__save[data-state="saved"]').waitFor({ timeout: WAIT });
    const person = (await demo.admin.call('GET', '/admin/people')).body.people.find((p) => p.email === 'krakow@narada.demo');
    const copies = () => kasia.page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).filter((n) => n.startsWith('narada:')));
    assert.deepEqual(await copies(), [`narada:p${person.id}:${doc}`], 'one copy, named by the person and the document');

    // On the train: no network, the socket gone.
    blocked = true;
    await kasia.context.setOffline(true);
    for (const { ws, server } of sockets) {
      await server.close().catch(() => {});
      await ws.close().catch(() => {});
    }
    await live.filter({ hasText: 'Brak połączenia z siecią' }).waitFor({ timeout: WAIT });
    await k.keyboard.type(' W pociągu bez sieci.');
    await live.filter({ hasText: 'Zmiany zapisane na tym urządzeniu, czekają na wysłanie' }).waitFor({ timeout: WAIT });
    await k.close();

    // Back with a network, but the sync server still out of reach: the copy is shown, and the
    // page says the changes are waiting.
    await kasia.context.setOffline(false);
    const again = await kasia.context.newPage();
    again.on('pageerror', (e) => pageErrors.push(e.message));
    await again.goto(`${demo.server.httpUrl}/d/${doc}`);
    await again.locator('.prose', { hasText: 'Przed podróżą. W pociągu bez sieci.' }).waitFor({ timeout: WAIT });
    await again.locator('.status__live').filter({ hasText: 'Zmiany zapisane na tym urządzeniu, czekają na wysłanie' }).waitFor({ timeout: WAIT });
    // The server does not have it yet: another person sees only the first sentence.
    const anna = await open('admin@narada.demo', doc);
    assert.equal(await anna.page.evaluate(() => window.narada.editor.getText()), 'Przed podróżą.');

    // The sync server is reachable again: the stored edit goes out, is acknowledged, arrives.
    blocked = false;
    await anna.page.locator('.prose', { hasText: 'Przed podróżą. W pociągu bez sieci.' }).waitFor({ timeout: WAIT });
    await again.locator('.status__save[data-state="saved"]').waitFor({ timeout: WAIT });
    await again.locator('.status__live').filter({ hasText: /^Połączono$/ }).waitFor({ timeout: WAIT });
    assert.equal(await again.evaluate(() => window.narada.editor.getText()), 'Przed podróżą. W pociągu bez sieci.');

    // Signing out deletes the person's copies from the device.
    await again.getByRole('button', { name: 'Katarzyna Krakowska' }).click();
    await again.getByRole('button', { name: 'Wyloguj się', exact: true }).click();
    await again.waitForURL('**/login', { timeout: WAIT });
    assert.deepEqual(await again.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).filter((n) => n.startsWith('narada:'))), []);
    await kasia.context.close();
    await anna.context.close();
    // The refused reconnects while offline are logged by the browser: expected here.
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !/ERR_INTERNET_DISCONNECTED|blocked by the test|WebSocket/.test(e)));
  });

  test('people: one entry per person across tabs, joins and leaves told politely, follow and jump to a caret', async () => {
    const doc = await newDoc('ludzie');
    const anna = await open('admin@narada.demo', doc);
    const a = anna.page;
    await a.evaluate((h) => window.narada.editor.commands.setContent(h), longPlan());
    const news = a.locator('.presence__news');
    assert.equal(await news.getAttribute('aria-live'), 'polite');
    await a.locator('.presence__news[data-settled="true"]').waitFor({ state: 'attached', timeout: WAIT });
    // Every change of the region is counted from here on.
    await a.evaluate(() => {
      window.newsChanges = [];
      new MutationObserver(() => window.newsChanges.push(document.querySelector('.presence__news').textContent)).observe(
        document.querySelector('.presence__news'), { childList: true, characterData: true, subtree: true },
      );
    });

    const kasia = await open('krakow@narada.demo', doc);
    await news.filter({ hasText: 'Dołączenie do dokumentu: Katarzyna Krakowska.' }).waitFor({ timeout: WAIT });
    // Her second tab: still one person, and nothing new to tell.
    const tab2 = await kasia.context.newPage();
    await tab2.goto(`${demo.server.httpUrl}/d/${doc}`);
    await tab2.locator('.prose[contenteditable="true"]').waitFor({ timeout: WAIT });
    await a.waitForFunction(() => window.narada.session.provider.awareness.getStates().size === 3, undefined, { timeout: WAIT });
    assert.equal(await a.locator('.presence__person', { hasText: 'Katarzyna Krakowska' }).count(), 1);
    assert.match(await a.locator('.presence__count').textContent(), /Obecnych: 2/);
    await tab2.close();

    // Typing (her caret moving with every key) is never announced.
    const k = kasia.page;
    await k.getByRole('textbox', { name: /Treść dokumentu/ }).click();
    await k.keyboard.press('Control+End');
    await k.waitForFunction(() => window.narada.editor.state.selection.from === window.narada.editor.state.doc.content.size - 1, undefined, { timeout: WAIT });
    await k.keyboard.type(' Dopisek na końcu planu.');
    await a.locator('.prose', { hasText: 'Dopisek na końcu planu.' }).waitFor({ timeout: WAIT });
    assert.deepEqual(await a.evaluate(() => window.newsChanges), ['Dołączenie do dokumentu: Katarzyna Krakowska.']);

    // Following: Anna's view goes where Kasia's caret is, and stays with it.
    const caretInView = () =>
      a.evaluate(() => {
        const label = [...document.querySelectorAll('.collaboration-carets__label')].find((l) => l.textContent === 'Katarzyna Krakowska');
        const r = label?.parentElement.getBoundingClientRect();
        return !!r && r.top >= 0 && r.bottom <= window.innerHeight;
      });
    await a.evaluate(() => window.scrollTo(0, 0));
    assert.equal(await caretInView(), false, 'her caret is far below');
    const followButton = a.getByRole('button', { name: 'Katarzyna Krakowska, śledź kursor' });
    await followButton.click();
    assert.equal(await followButton.getAttribute('aria-pressed'), 'true');
    await a.waitForFunction(() => {
      const label = [...document.querySelectorAll('.collaboration-carets__label')].find((l) => l.textContent === 'Katarzyna Krakowska');
      const r = label?.parentElement.getBoundingClientRect();
      return !!r && r.top >= 0 && r.bottom <= window.innerHeight;
    }, undefined, { timeout: WAIT });
    await k.keyboard.press('Control+Home');
    await k.waitForFunction(() => window.narada.editor.state.selection.from === 1, undefined, { timeout: WAIT });
    await k.keyboard.type('Na początek: ');
    await a.waitForFunction(() => window.narada.editor.state.doc.firstChild.textContent === 'Na początek: Diagnoza', undefined, { timeout: WAIT });
    await a.waitForFunction(() => window.scrollY < 200, undefined, { timeout: WAIT });
    assert.equal(await caretInView(), true, 'the view followed her to the top');
    // Pressed again: no more following.
    await followButton.click();
    assert.equal(await followButton.getAttribute('aria-pressed'), 'false');
    await news.filter({ hasText: 'Koniec śledzenia kursora: Katarzyna Krakowska.' }).waitFor({ timeout: WAIT });
    const scrollBefore = await a.evaluate(() => window.scrollY);
    await k.keyboard.press('Control+End');
    await k.waitForFunction(() => window.narada.editor.state.selection.from === window.narada.editor.state.doc.content.size - 1, undefined, { timeout: WAIT });
    await k.keyboard.type(' Drugi dopisek.');
    await a.locator('.prose', { hasText: 'Drugi dopisek.' }).waitFor({ timeout: WAIT });
    await a.waitForFunction(() => {
      const st = [...window.narada.session.provider.awareness.getStates().values()].find((s) => s.user?.name === 'Katarzyna Krakowska');
      return st?.cursor;
    }, undefined, { timeout: WAIT });
    assert.equal(await a.evaluate(() => window.scrollY), scrollBefore, 'not following any more');

    // Jump to: Anna's own caret goes to Kasia's, once.
    assert.deepEqual(await axeViolations(a), [], 'presence list with follow and jump buttons (Polish)');
    await a.getByRole('button', { name: 'Przejdź do kursora: Katarzyna Krakowska' }).click();
    await a.waitForFunction(() => window.narada.editor.state.selection.$from.parent.textContent.endsWith('Drugi dopisek.'), undefined, { timeout: WAIT });
    assert.equal(await a.evaluate(() => document.activeElement?.classList.contains('ProseMirror')), true, 'focus in the text');
    assert.equal(await caretInView(), true);

    // English labels; then her leaving is told once.
    await a.getByRole('button', { name: 'EN', exact: true }).click();
    await a.getByRole('button', { name: 'Katarzyna Krakowska, follow caret' }).waitFor({ timeout: WAIT });
    assert.deepEqual(await axeViolations(a), [], 'presence list (English)');
    await kasia.context.close();
    await news.filter({ hasText: 'Left the document: Katarzyna Krakowska.' }).waitFor({ timeout: WAIT });
    const told = await a.evaluate(() => window.newsChanges);
    assert.equal(told.filter((x) => /Dołączenie|Joined/.test(x)).length, 1, `joins told once: ${JSON.stringify(told)}`);
    assert.equal(told.filter((x) => /Wyjście|Left/.test(x)).length, 1, `leaves told once: ${JSON.stringify(told)}`);
    await anna.context.close();
  });

  test('the pages raised no script errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
