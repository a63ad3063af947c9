// Every page in both languages, in a real browser: Debian's Chromium (playwright-core) against the
// real narada binary on the seeded demo (crates/narada-accounts/src/seed.rs). It walks the
// sign-in, invitation and reset pages, the documents list with its dialogs, the editor, the
// administration (people, cities, audit) with their dialogs and refusals, the no-access page
// and the 404 page, each in Polish, switched to English, switched back, and loaded afresh in
// English; it fails on any text of the other language.
//
// How it tells the languages apart: from the app's own catalogs (src/i18n.ts, loaded through
// esbuild) it takes the words only one language uses ("zapisz", "dokumentów" / "save", "with"),
// plus English function words no Polish text has ("the", "with", "already": the server's English
// messages are made of them), and in English any Polish letter (ą, ć, ę, ł, ń, ó, ś, ź, ż).
// Before looking, it removes the data the pages show (names of people, cities and networks, their
// emails, document titles and ids, from the API), code (`<code>`) and parts marked as another
// language (`lang`, e.g. the PL/EN buttons and the document's text). A string the interface
// forgot to translate, or writes once and never again after a switch, always leaves one of those
// words behind.
//
// Also here: the server's page list (dist/pages.json, from src/routes.ts) against what it
// answers and what the client shows, and every error code of the Rust sources against the
// interface's words for it. Every wait is on a page element or condition; nothing sleeps.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importTs } from '../load-ts.mjs';
import { WAIT, chromiumSkip, newPerson, signIn, startDemo } from './chromium.mjs';
import { mintToken } from './support.mjs';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const i18n = await importTs(path.join(webDir, 'src/i18n.ts'));

const wordsOf = (s) => s.replace(/\{\w+\}/g, ' ').toLowerCase().match(/\p{L}+/gu) ?? [];
const vocabulary = (lang) => new Set(i18n.allMessages(lang).flatMap(wordsOf));
/** Words of each language that are never words of the other (Polish has "a", "i", "to", "do", "no", "on"). */
const EXTRA = {
  en: ['the', 'with', 'this', 'is', 'are', 'was', 'of', 'for', 'and', 'you', 'your', 'already', 'exists', 'been', 'has', 'have', 'cannot', 'could', 'must', 'not', 'from', 'that', 'there', 'which', 'invalid', 'error', 'found', 'denied', 'unauthorized', 'missing', 'wrong', 'request', 'failed', 'internal', 'only', 'too', 'many'],
  pl: ['nie', 'jest', 'lub', 'oraz', 'dla', 'przez', 'przy', 'albo', 'tego', 'tej', 'jak', 'czy', 'ten', 'od', 'za', 'bez'],
};
const OTHER = { pl: 'en', en: 'pl' };
const vocab = { pl: vocabulary('pl'), en: vocabulary('en') };
/** For a page in `lang`: the words that betray the other language. */
const betraying = Object.fromEntries(
  ['pl', 'en'].map((lang) => {
    const other = OTHER[lang];
    // Single letters are no evidence: glyphs (B, I), shortcuts (Ctrl+Z), initials.
    return [lang, new Set([...vocab[other], ...EXTRA[other]].filter((w) => w.length > 1 && !vocab[lang].has(w)))];
  }),
);
const POLISH_LETTER = /[ąćęłńóśźż]/i;

/** Every text a person sees or hears on the page now: text, labels, titles, options, the tab title. */
function pageTexts() {
  const lang = document.documentElement.lang;
  const foreign = (el) => {
    const marked = el.closest('[lang]');
    return marked !== null && marked.lang !== lang;
  };
  const excluded = (el) => el.closest('code, script, style, noscript') !== null || foreign(el);
  const shown = (el) => {
    const box = el.closest('select, datalist') ?? el;
    if (box.tagName === 'DATALIST') return true;
    return box.checkVisibility({ visibilityProperty: true });
  };
  const where = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.classList.length ? `.${[...el.classList].join('.')}` : ''}`;
  const out = [{ text: document.title, where: 'title' }];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim() || excluded(el) || !shown(el)) continue;
    out.push({ text: n.textContent.trim(), where: where(el) });
  }
  const attrs = ['aria-label', 'aria-description', 'title', 'placeholder', 'alt', 'label'];
  for (const el of document.body.querySelectorAll(attrs.map((a) => `[${a}]`).join(', '))) {
    if (excluded(el) || !shown(el)) continue;
    for (const a of attrs) {
      const v = el.getAttribute(a);
      if (v) out.push({ text: v, where: `${where(el)}[${a}]` });
    }
  }
  return out;
}

describe('every page in Polish and in English, in Chromium', { skip: chromiumSkip() }, () => {
  let demo;
  let server;
  let browser;
  let api;
  let ids;
  const pageErrors = [];
  /** Data strings the pages show (names, emails, titles, ids): not the interface's words. */
  let data = [];

  before(async () => {
    demo = await startDemo();
    ({ server, browser, admin: api, ids } = demo);
  });
  after(async () => {
    await demo?.close();
  });

  const refreshData = async () => {
    const [people, cities, networks, docs] = await Promise.all([
      api.call('GET', '/admin/people'),
      api.call('GET', '/cities'),
      api.call('GET', '/networks'),
      api.call('GET', '/docs?archived=include&deleted=include'),
    ]);
    data = [
      ...people.body.people.flatMap((p) => [p.name, p.email]),
      ...cities.body.cities.map((c) => c.name),
      ...networks.body.networks.map((n) => n.name),
      ...docs.body.docs.flatMap((d) => [d.title, d.id]),
    ]
      .filter(Boolean)
      .sort((a, b) => b.length - a.length);
  };

  /** Texts of the page that are in the other language than the page's, as readable lines. */
  async function foreignTexts(page, lang) {
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
    const found = [];
    for (const { text, where } of await page.evaluate(pageTexts)) {
      let rest = text;
      for (const d of data) rest = rest.split(d).join(' ');
      const words = wordsOf(rest).filter((w) => betraying[lang].has(w));
      if (words.length > 0) found.push(`${where}: "${text}" (${words.join(', ')})`);
      else if (lang === 'en' && POLISH_LETTER.test(rest)) found.push(`${where}: "${text}" (Polish letters)`);
    }
    return found;
  }

  const switchTo = async (page, lang) => {
    await page.locator(`.lang-switch button[lang="${lang}"]`).click();
    await page.waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: WAIT });
  };
  const dialogOpen = (page) => page.evaluate(() => document.querySelector('dialog[open]') !== null);

  /**
   * One page state (`show` brings a page there, from navigating on) in both languages: Polish;
   * switched to English and back (unless a modal dialog makes the switch unreachable); and shown
   * afresh in English. Fails with every foreign text found.
   */
  async function bothLanguages(page, name, show) {
    const problems = [];
    const look = async (lang, how) => {
      for (const f of await foreignTexts(page, lang)) problems.push(`${name}, ${how}: ${f}`);
    };
    await show();
    await look('pl', 'in Polish');
    if (!(await dialogOpen(page))) {
      await switchTo(page, 'en');
      await look('en', 'switched to English');
      await switchTo(page, 'pl');
      await look('pl', 'switched back to Polish');
      await switchTo(page, 'en');
    } else {
      await page.keyboard.press('Escape');
      await switchTo(page, 'en');
    }
    await show();
    await look('en', 'loaded in English');
    if (await dialogOpen(page)) await page.keyboard.press('Escape');
    await switchTo(page, 'pl');
    return problems;
  }

  const goto = async (page, route) => {
    const answer = await page.goto(`${server.httpUrl}${route}`);
    await page.locator('main').first().waitFor({ timeout: WAIT });
    return answer;
  };
  /** Submits the (first) form in `scope` and waits until its problem summary shows. */
  const submitForProblems = async (page, scope = 'main') => {
    await page.locator(`${scope} form button[type="submit"]`).first().click();
    await page.locator(`${scope} .problem-summary:not([hidden]), ${scope} .error-summary:not([hidden])`).first().waitFor({ timeout: WAIT });
  };
  const openDialogBy = async (page, selector) => {
    await page.locator(selector).first().click();
    await page.locator('dialog[open] .dialog__title').waitFor({ timeout: WAIT });
  };

  async function signedIn(email) {
    const p = await newPerson(browser, pageErrors);
    await p.page.goto(`${server.httpUrl}/login`);
    await signIn(p.page, email);
    await p.page.waitForURL(`${server.httpUrl}/`, { timeout: WAIT });
    return p;
  }

  /** `[name, show]` pairs, each in both languages; every foreign text found, as lines. */
  async function walk(page, states) {
    const problems = [];
    for (const [name, show] of states) problems.push(...(await bothLanguages(page, name, show)));
    return problems;
  }

  // Page states both signed-in walks pass through.
  const documents = (page) => async () => {
    await goto(page, '/');
    await page.locator('.docs tbody tr').first().waitFor({ timeout: WAIT });
  };
  const manageDialog = (page) => async () => {
    await goto(page, '/');
    await openDialogBy(page, `tr[data-doc-id="mid-krakow"] button`);
  };
  const shareDialog = (page) => async () => {
    await manageDialog(page)();
    await page.locator('dialog[open] .manage__buttons button').last().click();
    await page.locator('dialog[open].share form').waitFor({ timeout: WAIT });
  };
  const editor = (page) => async () => {
    await goto(page, '/d/mid-krakow');
    await page.locator('.presence__person').first().waitFor({ timeout: WAIT });
    await page.locator('.prose[contenteditable="true"]').waitFor({ timeout: WAIT });
  };

  test('signed out: sign-in (also with errors and a refusal), invitation, reset and 404 pages', async () => {
    await refreshData();
    const invited = await api.call('POST', '/admin/people', { name: 'Irena Inwitowana', email: 'irena@lodz.example.pl', role: 'editor', cities: [], networks: [] });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    const reset = await api.call('POST', `/admin/people/${ids['obserwator@narada.demo']}/reset-link`);
    assert.equal(reset.status, 200);
    await refreshData();
    const { page, context } = await newPerson(browser, pageErrors);
    const problems = await walk(page, [
      ['sign-in', () => goto(page, '/login')],
      ['sign-in with empty fields', async () => {
        await goto(page, '/login');
        await submitForProblems(page);
      }],
      ['sign-in with a wrong password', async () => {
        await goto(page, '/login');
        await page.locator('#signin-email').fill('obserwator@narada.demo');
        await page.locator('#signin-password').fill('not the password');
        await submitForProblems(page);
      }],
      ['invitation', () => goto(page, invited.body.invite.link.replace(server.httpUrl, ''))],
      ['invitation with errors', async () => {
        await goto(page, '/invite');
        await page.locator('#new-password').fill('short');
        await page.locator('#confirm-password').fill('other');
        await submitForProblems(page);
      }],
      ['password reset', () => goto(page, reset.body.link.replace(server.httpUrl, ''))],
      ['page not found', () => goto(page, '/no-such-page')],
    ]);
    // A tab that never saw the link: the page says the code is missing.
    const bare = await context.newPage();
    problems.push(...(await bothLanguages(bare, 'invitation without its code', () => goto(bare, '/invite'))));
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('an administrator: documents, dialogs, editor, people, cities, audit, refusals, 404', async () => {
    const disabled = await api.call('POST', '/admin/people', { name: 'Wiktor Wyłączony', email: 'wiktor@lublin.example.pl', role: 'viewer', cities: [], networks: [] });
    await api.call('PATCH', `/admin/people/${disabled.body.person.id}`, { disabled: true });
    await refreshData();
    const { page, context } = await signedIn('admin@narada.demo');
    const problems = await walk(page, [
      ['documents', documents(page)],
      ['manage dialog', manageDialog(page)],
      ['share dialog', async () => {
        await shareDialog(page)();
        await page.locator('dialog[open] .share__list li').first().or(page.locator('dialog[open] .share__empty:not([hidden])')).waitFor({ timeout: WAIT });
      }],
      ['new document refused (no title)', async () => {
        await goto(page, '/');
        await submitForProblems(page, '.new-doc');
      }],
      ['editor', editor(page)],
      ['people', async () => {
        await goto(page, '/admin/people');
        await page.locator('tr[data-person-id]').first().waitFor({ timeout: WAIT });
      }],
      ['adding a person with empty fields', async () => {
        await goto(page, '/admin/people');
        await submitForProblems(page, '.admin-form');
      }],
      ['adding a person whose email is taken', async () => {
        await goto(page, '/admin/people');
        await page.locator('#person-name').fill('Ktoś Inny');
        await page.locator('#person-email').fill('krakow@narada.demo');
        await submitForProblems(page, '.admin-form');
      }],
      ['person dialog', async () => {
        await goto(page, '/admin/people');
        await openDialogBy(page, `tr[data-person-id="${ids['krakow@narada.demo']}"] button`);
      }],
      ['person dialog: no link for a disabled account', async () => {
        await goto(page, '/admin/people');
        await openDialogBy(page, `tr[data-person-id="${disabled.body.person.id}"] button`);
        await page.locator('dialog[open] [data-link="reset-link"]').click();
        await page.locator('dialog[open] .problem-summary:not([hidden])').waitFor({ timeout: WAIT });
      }],
      ['cities and networks', async () => {
        await goto(page, '/admin/cities');
        await page.locator('tr[data-city-id]').first().waitFor({ timeout: WAIT });
      }],
      ['adding a city whose name is taken', async () => {
        await goto(page, '/admin/cities');
        await page.locator('#new-city-name').fill('Kraków');
        await submitForProblems(page, '.places--city');
      }],
      ['city dialog', async () => {
        await goto(page, '/admin/cities');
        await openDialogBy(page, `tr[data-city-id="${ids['Kraków']}"] button`);
      }],
      ['audit log', async () => {
        await goto(page, '/admin/audit');
        await page.locator('tr[data-action="person.update"]').first().waitFor({ timeout: WAIT });
      }],
      ['page not found, signed in', () => goto(page, '/admin/nothing-here')],
    ]);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('an editor: documents, manage dialog, editor, and administration she may not use', async () => {
    await refreshData();
    const { page, context } = await signedIn('krakow@narada.demo');
    const problems = await walk(page, [
      ['documents', documents(page)],
      ['manage dialog', manageDialog(page)],
      ['share dialog by email, refused address', async () => {
        await shareDialog(page)();
        await page.locator('dialog[open] #share-person').fill('nobody@nowhere.example.pl');
        await page.locator('dialog[open] form button[type="submit"]').click();
        await page.locator('dialog[open] #share-person-error:not([hidden])').waitFor({ timeout: WAIT });
      }],
      ['editor', editor(page)],
      ['administration, no access', () => goto(page, '/admin/people')],
    ]);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a missed string is caught: text left in Polish after the switch, and a server message', async () => {
    await refreshData();
    const { page, context } = await newPerson(browser, pageErrors);
    await goto(page, '/login');
    await switchTo(page, 'en');
    // As a page would if it wrote a message once and not again after the switch.
    await page.evaluate(() => {
      const p = document.createElement('p');
      p.textContent = 'Liczba wpisów: 3';
      document.querySelector('main').append(p);
    });
    assert.deepEqual(await foreignTexts(page, 'en'), ['p: "Liczba wpisów: 3" (liczba, wpisów)']);
    await switchTo(page, 'pl');
    await page.evaluate(() => {
      document.querySelector('main p:last-child').textContent = 'Nie da się tego zrobić: a city with this name already exists';
    });
    const found = await foreignTexts(page, 'pl');
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(found[0], /\(city, with, this, name, already, exists\)$/);
    await context.close();
  });

  test('refusals are told by their code in words; "correct the errors" heads only field errors', async () => {
    const { page, context } = await signedIn('admin@narada.demo');
    const summary = (scope) => page.locator(`${scope} .problem-summary`);
    // A taken name is the name field's problem, in words.
    await goto(page, '/admin/cities');
    await page.locator('#new-city-name').fill('Gdańsk');
    await submitForProblems(page, '.places--city');
    assert.equal(await summary('.places--city').locator('h3').textContent(), 'Popraw błędy w formularzu.');
    assert.equal(await page.locator('#new-city-name-error').textContent(), 'Miasto o tej nazwie już istnieje. Wybierz inną nazwę.');
    assert.equal(await page.locator('#new-city-name').getAttribute('aria-invalid'), 'true');
    await switchTo(page, 'en');
    assert.equal(await summary('.places--city').locator('h3').textContent(), 'Please correct the errors in the form.');
    assert.equal(await page.locator('#new-city-name-error').textContent(), 'A city with this name already exists. Choose another name.');
    await switchTo(page, 'pl');
    // A refusal of the whole request is no form error: its own heading.
    const off = (await api.call('GET', '/admin/people')).body.people.find((p) => p.disabled);
    await goto(page, '/admin/people');
    await openDialogBy(page, `tr[data-person-id="${off.id}"] button`);
    await page.locator('dialog[open] [data-link="reset-link"]').click();
    const refused = summary('dialog[open]');
    await refused.locator('li', { hasText: 'To konto jest wyłączone' }).waitFor({ timeout: WAIT });
    assert.equal(await refused.locator('h3').textContent(), 'Nie udało się tego zrobić');
    assert.deepEqual(await refused.locator('li').allTextContents(), ['To konto jest wyłączone, więc nie można utworzyć dla niego linku. Najpierw włącz konto.']);
    await page.keyboard.press('Escape');
    // An invitation page without its code.
    const bare = await context.newPage();
    await goto(bare, '/invite');
    assert.equal(await bare.locator('.problem-summary h2').textContent(), 'Nie udało się tego zrobić');
    // An unknown code (a newer server) gets a general refusal, never the server's message.
    await bare.route('**/api/admin/cities', (route) =>
      route.fulfill({ status: 418, contentType: 'application/json', body: JSON.stringify({ error: { code: 'teapot', message: 'I am a teapot' } }) }),
    );
    await goto(bare, '/admin/cities');
    await bare.locator('#new-city-name').fill('Opole');
    await submitForProblems(bare, '.places--city');
    assert.equal(
      await bare.locator('.places--city .problem-summary li').textContent(),
      'Serwer odrzucił żądanie. Spróbuj ponownie, a jeśli to się powtarza, powiadom administratora.',
    );
    await context.close();
  });

  test('a socket the server closes is told by its close code, never by its English reason', async () => {
    await refreshData();
    const guest = 'Gość z linku';
    data = [guest, ...data];
    const token = await mintToken(demo.ws, { doc: 'mid-krakow', user: guest, role: 'viewer' });
    const { page, context } = await newPerson(browser, pageErrors);
    // The real server behind a route that can close the page's socket as a server would.
    let toPage = null;
    await page.routeWebSocket(/\/sync\//, (ws) => {
      ws.connectToServer();
      toPage = ws;
    });
    await page.goto(`${server.httpUrl}/d/mid-krakow?token=${token}`);
    // Opened by a link, the page first asks the person's name (offering the token's).
    await page.locator('#display-name').waitFor({ timeout: WAIT });
    assert.deepEqual(await foreignTexts(page, 'pl'), [], 'the name prompt');
    await page.locator('main form button[type="submit"]').click();
    await page.locator('.status__live', { hasText: 'Połączono' }).waitFor({ timeout: WAIT });
    await toPage.close({ code: 4499, reason: 'the room is closed for maintenance' });
    await page.locator('.notice', { hasText: 'Serwer zamknął połączenie' }).waitFor({ timeout: WAIT });
    const notice = page.locator('.notice.notice--error');
    assert.equal(await notice.textContent(), 'Serwer zamknął połączenie (kod 4499). Odśwież stronę lub poproś administratora o link.');
    assert.deepEqual(await foreignTexts(page, 'pl'), []);
    await switchTo(page, 'en');
    assert.equal(await notice.textContent(), 'The server closed the connection (code 4499). Reload the page or ask your administrator for a link.');
    assert.deepEqual(await foreignTexts(page, 'en'), []);
    await context.close();
  });

  test('every page of the route table is served and shown; other paths get the 404 page', async () => {
    const { pages } = JSON.parse(await readFile(path.join(webDir, 'dist/pages.json'), 'utf8'));
    const routes = (await importTs(path.join(webDir, 'src/routes.ts'))).PAGES;
    assert.deepEqual(pages, Object.values(routes), 'dist/pages.json is the client route table');
    const { page, context } = await signedIn('admin@narada.demo');
    for (const pattern of pages) {
      const route = pattern.replace('{doc}', 'mid-krakow');
      const answer = await page.goto(`${server.httpUrl}${route}`);
      assert.equal(answer.status(), 200, route);
      await page.locator('main').first().waitFor({ timeout: WAIT });
      assert.equal(await page.locator('.not-found').count(), 0, `${route} is a page of the client`);
    }
    for (const route of ['/no-such-page', '/d/a/b', '/admin/other', '/login/x']) {
      const answer = await page.goto(`${server.httpUrl}${route}`);
      assert.equal(answer.status(), 404, route);
      await page.getByRole('heading', { level: 1, name: 'Nie znaleziono strony' }).waitFor({ timeout: WAIT });
      assert.equal(await page.title(), 'Nie znaleziono strony — Narada');
      assert.equal(await page.getByRole('link', { name: 'Przejdź do strony głównej' }).getAttribute('href'), '/');
    }
    await switchTo(page, 'en');
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor({ timeout: WAIT });
    await switchTo(page, 'pl');
    const apiAnswer = await fetch(`${server.httpUrl}/api/no-such-endpoint`);
    assert.equal(apiAnswer.status, 404);
    assert.equal((await apiAnswer.json()).error.code, 'not_found');
    await context.close();
  });

  test('the pages raised no script errors', () => {
    // 404s and refusals were provoked on purpose above.
    assert.deepEqual(pageErrors.filter((e) => !/status of (401|404|409|418)/.test(e)), []);
  });
});

test('every error code of the server has words in the interface', async () => {
  const roots = ['crates/narada-accounts/src', 'crates/narada-server/src'].map((d) => path.join(webDir, '..', d));
  const codes = new Set();
  for (const root of roots) {
    for (const entry of await readdir(root, { recursive: true })) {
      if (!entry.endsWith('.rs')) continue;
      const source = await readFile(path.join(root, entry), 'utf8');
      // `(StatusCode::X, "code")` tuples and `json_error(StatusCode::X, "code", …)` calls.
      for (const m of source.matchAll(/StatusCode::[A-Z_]+,\s*"([a-z_]+)"/g)) codes.add(m[1]);
    }
  }
  assert.ok(codes.has('conflict') && codes.has('bad_document'), `found ${[...codes]}`);
  const missing = [...codes].filter((c) => !i18n.ERROR_CODES.includes(c));
  assert.deepEqual(missing, [], 'error codes without words in src/i18n.ts (ERROR_TEXT)');
  for (const code of i18n.ERROR_CODES) assert.notEqual(i18n.errorKey(code), 'errorUnknown', code);
});
