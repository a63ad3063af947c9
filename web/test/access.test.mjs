// Live permissions in Chromium against the seeded demo (issue 17): a person's share lowered
// while their editor is open turns that editor read-only in place — same page, same socket, a
// notice, no reload — and raising it again makes it writable again.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomDoc } from './support.mjs';
import { WAIT, axeViolations, chromiumSkip, newPerson, signIn, startDemo } from './chromium.mjs';

describe('live permissions in Chromium', { skip: chromiumSkip() }, () => {
  let demo;
  const pageErrors = [];

  before(async () => {
    demo = await startDemo();
  });
  after(async () => {
    await demo?.close();
  });

  test('a share lowered while the editor is open turns it read-only in place, and back', async () => {
    const title = randomDoc('live-role');
    const created = await demo.admin.call('POST', '/docs', { title, kind: 'other', owner: { kind: 'city', id: demo.ids['Kraków'] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const doc = created.body.id;
    const share = async (role) => {
      const r = await demo.admin.call('PUT', `/docs/${doc}/shares`, { grantee: { kind: 'person', email: 'gdansk@narada.demo' }, role });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    };
    await share('editor');

    const p = await newPerson(demo.browser, pageErrors);
    const page = p.page;
    // Counts the sockets the page opens: the role must change on the open one.
    await page.addInitScript(() => {
      const Native = window.WebSocket;
      window.__sockets = 0;
      window.WebSocket = class extends Native {
        constructor(...args) {
          super(...args);
          window.__sockets += 1;
        }
      };
    });
    await page.goto(`${demo.server.httpUrl}/login?next=${encodeURIComponent(`/d/${doc}`)}`);
    await signIn(page, 'gdansk@narada.demo');
    await page.waitForURL(`**/d/${doc}`, { timeout: WAIT });
    const prose = page.locator('.prose');
    await page.locator('.prose[contenteditable="true"]').waitFor({ timeout: WAIT });
    await prose.click();
    await page.keyboard.type('Diagnoza Gdańska');
    // A marker that a reload would wipe.
    await page.evaluate(() => {
      window.__sameLoad = true;
    });
    const socketsBefore = await page.evaluate(() => window.__sockets);
    assert.ok(socketsBefore >= 1);

    await share('viewer');
    await page.locator('.prose[contenteditable="false"]').waitFor({ timeout: WAIT });
    await page.locator('.badge--readonly').waitFor({ state: 'visible', timeout: WAIT });
    const notice = page.locator('.notice');
    await notice.waitFor({ state: 'visible', timeout: WAIT });
    assert.match(await notice.textContent(), /tylko czytać/);
    assert.equal(await prose.getAttribute('aria-readonly'), 'true');
    assert.equal(await page.evaluate(() => window.__sameLoad), true, 'no reload');
    assert.equal(await page.evaluate(() => window.__sockets), socketsBefore, 'no reconnect');
    assert.match(await prose.textContent(), /Diagnoza Gdańska/, 'the text stays on the page');
    assert.deepEqual(await axeViolations(page), []);

    await share('editor');
    await page.locator('.prose[contenteditable="true"]').waitFor({ timeout: WAIT });
    assert.match(await notice.textContent(), /możesz teraz edytować/);
    assert.equal(await page.evaluate(() => window.__sameLoad), true, 'still no reload');
    assert.equal(await page.evaluate(() => window.__sockets), socketsBefore, 'still no reconnect');
    await prose.click();
    await page.keyboard.press('End');
    await page.keyboard.type('!');
    // What was typed after the role came back is stored: the server acknowledges it.
    await page.locator('.status__save[data-state="saved"]').waitFor({ timeout: WAIT });
    await p.context.close();
    assert.deepEqual(pageErrors, []);
  });
});
