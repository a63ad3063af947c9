// Shared by the browser tests: Debian's Chromium through playwright-core, a fresh browser context
// per person (own storage and cookies) with its script errors collected, axe-core, the folder
// for screenshots, and signing in / reading the documents list the way a person does.
//
// Without /usr/bin/chromium (or CHROMIUM_PATH) a suite is skipped with a message, except in CI
// (CI=true), where a missing browser is a failure.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_PASSWORD, apiSession, freePort, seedDemo, startServer, workspace } from './support.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const IN_CI = process.env.CI === 'true';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** How long a browser test waits for anything it expects to see. */
export const WAIT = 15_000;

/**
 * The `skip` option for a browser suite: a reason when Chromium is missing outside CI, else
 * false. In CI a missing browser registers a failing test instead.
 */
export function chromiumSkip() {
  const missing = !existsSync(CHROMIUM);
  if (missing && IN_CI) {
    test('chromium is installed', () => {
      assert.fail(`${CHROMIUM} is missing; CI must install it (apt-get install -y chromium)`);
    });
  }
  const skip = missing && !IN_CI ? `skipping: ${CHROMIUM} not found (apt-get install -y chromium, or set CHROMIUM_PATH)` : false;
  if (skip) console.log(`# ${skip}`);
  return skip;
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** The folder for screenshots: NARADA_SCREENSHOTS, else a new temp folder (printed). */
export async function screenshotsDir() {
  const shots = process.env.NARADA_SCREENSHOTS || (await mkdtemp(path.join(tmpdir(), 'narada-shots-')));
  await mkdir(shots, { recursive: true });
  console.log(`# screenshots in ${shots}`);
  return shots;
}

/**
 * A fresh person: their own context (own storage and cookies), Polish locale; script errors and
 * console errors go to `errors` (tokens in URLs redacted).
 */
export async function newPerson(browser, errors, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, locale: 'pl-PL' });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text().replace(/token=[^&\s']+/g, 'token=[redacted]')}`);
  });
  return { context, page };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2.1 A and AA rules on the page as it is now; returns readable violations. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/** Fills in and sends the sign-in form (Polish labels). */
export async function signIn(page, email, password = DEMO_PASSWORD) {
  await page.getByLabel('Adres e-mail').fill(email);
  await page.getByLabel('Hasło', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Zaloguj się' }).click();
}

/** Waits until the documents list shows exactly the ids `expected` (the API's answer), in order. */
export async function listedEquals(page, expected) {
  await page.waitForFunction(
    (want) => JSON.stringify([...document.querySelectorAll('.docs tbody tr')].map((tr) => tr.dataset.docId)) === JSON.stringify(want),
    expected,
    { timeout: WAIT },
  );
}

/** `GET /api/docs` as the page's own signed-in person: the ids. */
export const apiDocIds = (page, query = '') =>
  page.evaluate(async (q) => (await (await fetch(`/api/docs${q}`)).json()).docs.map((d) => d.id), query);

/**
 * What the suites on the seeded demo share: a workspace filled by `narada seed --demo`, a server
 * whose invitation links carry its own address (so a test opens exactly what an admin passes on),
 * Chromium, the screenshot folder, an administrator's API session from Node and the ids of the
 * cities, networks (by name) and people (by email). `close()` takes it all down.
 */
export async function startDemo() {
  const ws = await workspace();
  await seedDemo(ws);
  const port = await freePort();
  const server = await startServer(ws, { port, extraEnv: { NARADA_PUBLIC_URL: `http://127.0.0.1:${port}` } });
  const browser = await launchChromium();
  const shots = await screenshotsDir();
  const admin = await apiSession(server.httpUrl, 'admin@narada.demo');
  const ids = {};
  for (const c of (await admin.call('GET', '/cities')).body.cities) ids[c.name] = c.id;
  for (const n of (await admin.call('GET', '/networks')).body.networks) ids[n.name] = n.id;
  for (const p of (await admin.call('GET', '/admin/people')).body.people) ids[p.email] = p.id;
  return {
    ws,
    server,
    browser,
    shots,
    admin,
    ids,
    async close() {
      await browser.close();
      await server.stop();
      await ws.cleanup();
    },
  };
}
