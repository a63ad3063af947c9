// Interop: the stock JavaScript client (`yjs` + `y-websocket` from npm) against the real narada
// binary. If these pass, any editor binding built on WebsocketProvider works with Narada.
//
// Every wait is on an event (provider 'sync', Y.Text observe, awareness 'change', the auth
// callback, Narada's ack message) with a timeout; nothing sleeps to synchronise. (The lone-editor
// test waits out a span of time on purpose: that nothing happens in it is what it tests.)

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import * as authProtocol from 'y-protocols/auth';
import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import { mintToken, randomDoc, startServer, until, workspace } from './support.mjs';

const WAIT = 10_000;
const MESSAGE_AUTH = 2;
const MESSAGE_ACK = 100;

/**
 * A client: a Y.Doc on a WebsocketProvider, with what the tests watch for recorded:
 * permission-denied reasons, and (with `ack`) Narada's durable acknowledgements together with
 * a count of the sync step-2/update messages this socket sent.
 */
class Client {
  constructor(syncUrl, doc, token, { ack = false } = {}) {
    this.ydoc = new Y.Doc();
    this.text = this.ydoc.getText('t');
    this.denied = [];
    this.sent = 0;
    this.acked = 0;
    const self = this;
    // Counts what this client sends, so an ack of N can be compared with it.
    class CountingWebSocket extends WebSocket {
      send(data, ...rest) {
        const b = data instanceof Uint8Array ? data : new Uint8Array(data);
        if (b[0] === 0 && (b[1] === 1 || b[1] === 2)) self.sent += 1;
        return super.send(data, ...rest);
      }
    }
    this.provider = new WebsocketProvider(syncUrl, doc, this.ydoc, {
      WebSocketPolyfill: CountingWebSocket,
      params: ack ? { token, ack: '1' } : { token },
      disableBc: true,
    });
    this.provider.messageHandlers[MESSAGE_AUTH] = (_enc, decoder) => {
      authProtocol.readAuthMessage(decoder, this.ydoc, (_doc, reason) => {
        this.denied.push(reason);
        this.provider.emit('test-denied', [reason]);
      });
    };
    this.provider.messageHandlers[MESSAGE_ACK] = (_enc, decoder) => {
      this.acked = Math.max(this.acked, decoding.readVarUint(decoder));
      this.provider.emit('test-ack', [this.acked]);
    };
    // Restarting the socket resets the per-connection counters.
    this.provider.on('status', ({ status }) => {
      if (status === 'connected') {
        this.sent = 0;
        this.acked = 0;
      }
    });
  }

  on(event, f) {
    this.provider.on(event, f);
    return () => this.provider.off(event, f);
  }

  synced(label = 'sync') {
    return until(`${label}: provider sync`, WAIT, (f) => this.on('sync', f), () => this.provider.synced);
  }

  /** Resolves once the text satisfies `pred`. */
  textMatches(label, pred) {
    return until(
      label,
      WAIT,
      (f) => {
        this.text.observe(f);
        return () => this.text.unobserve(f);
      },
      () => pred(this.text.toString()),
    );
  }

  awarenessMatches(label, pred) {
    const aw = this.provider.awareness;
    return until(label, WAIT, (f) => {
      aw.on('change', f);
      return () => aw.off('change', f);
    }, () => pred(aw.getStates()));
  }

  /** Resolves once the server acknowledged everything this socket has sent so far. */
  allAcked(label = 'ack') {
    const target = this.sent;
    return until(`${label}: ack of ${target} messages`, WAIT, (f) => this.on('test-ack', f), () => this.acked >= target && target > 0);
  }

  destroy() {
    this.provider.destroy();
    this.ydoc.destroy();
  }
}

describe('y-websocket client against narada', () => {
  let ws;
  let server;
  const clients = [];
  const client = (doc, token, opts) => {
    const c = new Client(server.syncUrl, doc, token, opts);
    clients.push(c);
    return c;
  };

  before(async () => {
    ws = await workspace();
    server = await startServer(ws);
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await server?.stop();
    await ws?.cleanup();
  });

  test('concurrent edits by two editors converge; a late joiner gets the full state', async () => {
    const doc = randomDoc('converge');
    const a = client(doc, await mintToken(ws, { doc, user: 'ala', role: 'editor' }));
    const b = client(doc, await mintToken(ws, { doc, user: 'bartek', role: 'editor' }));
    await Promise.all([a.synced('a'), b.synced('b')]);

    // Both write at the same time, interleaved, at positions that collide; some deletions and
    // formatting in between.
    const rounds = 40;
    for (let i = 0; i < rounds; i++) {
      a.text.insert(i % 2 ? 0 : a.text.length, `[a${i}]`);
      b.text.insert(i % 3 ? b.text.length : 0, `<b${i}>`);
      if (i % 10 === 9) {
        a.text.insert(0, '~');
        a.text.delete(0, 1);
        b.text.format(0, 2, { bold: true });
      }
    }
    // Converged: each side has applied everything the other wrote.
    const hasAllOf = (x, y) => Y.getState(x.ydoc.store, y.ydoc.clientID) === Y.getState(y.ydoc.store, y.ydoc.clientID);
    await Promise.all([
      a.textMatches('a has all of b', () => hasAllOf(a, b)),
      b.textMatches('b has all of a', () => hasAllOf(b, a)),
    ]);
    const sa = a.text.toString();
    assert.equal(b.text.toString(), sa);
    for (let i = 0; i < rounds; i++) {
      assert.ok(sa.includes(`[a${i}]`), `a's marker ${i} present in ${sa}`);
      assert.ok(sa.includes(`<b${i}>`), `b's marker ${i} present in ${sa}`);
    }
    assert.ok(!sa.includes('~'));
    // The CRDT state itself is identical, not just the rendered string.
    assert.deepEqual(Y.encodeStateVector(a.ydoc), Y.encodeStateVector(b.ydoc));
    assert.deepEqual(a.text.toDelta(), b.text.toDelta());

    const late = client(doc, await mintToken(ws, { doc, user: 'celina', role: 'viewer' }));
    await late.synced('late joiner');
    assert.equal(late.text.toString(), sa);
    assert.deepEqual(late.text.toDelta(), a.text.toDelta());
  });

  test('awareness reaches the other client and is removed when its owner leaves', async () => {
    const doc = randomDoc('awareness');
    const watcher = client(doc, await mintToken(ws, { doc, user: 'watcher', role: 'viewer' }));
    await watcher.synced('watcher');

    // 1. A client that leaves cleanly (provider.destroy sends its awareness removal).
    const polite = client(doc, await mintToken(ws, { doc, user: 'dorota', role: 'editor' }));
    polite.provider.awareness.setLocalStateField('user', { name: 'Dorota Źdźbło', color: '#1d5fa8' });
    await polite.synced('polite');
    const politeId = polite.ydoc.clientID;
    const seen = await watcher.awarenessMatches('polite client awareness', (states) => states.get(politeId));
    assert.deepEqual(seen.user, { name: 'Dorota Źdźbło', color: '#1d5fa8' });
    // Changes to it arrive too.
    polite.provider.awareness.setLocalStateField('cursor', { anchor: 3 });
    await watcher.awarenessMatches('awareness update', (states) => states.get(politeId)?.cursor?.anchor === 3);
    polite.provider.destroy();
    await watcher.awarenessMatches('polite client removed', (states) => !states.has(politeId));

    // 2. A client whose socket just drops: no goodbye, the server must announce the removal.
    const abrupt = client(doc, await mintToken(ws, { doc, user: 'edek', role: 'editor' }));
    abrupt.provider.awareness.setLocalStateField('user', { name: 'Edek', color: '#b3261e' });
    await abrupt.synced('abrupt');
    const abruptId = abrupt.ydoc.clientID;
    await watcher.awarenessMatches('abrupt client awareness', (states) => states.get(abruptId)?.user?.name === 'Edek');
    abrupt.provider.shouldConnect = false; // no reconnect, and nothing more is sent
    abrupt.provider.ws.terminate();
    await watcher.awarenessMatches('dropped client removed by the server', (states) => !states.has(abruptId));
    assert.ok(watcher.provider.wsconnected, 'the watcher stays connected');
  });

  test("a viewer's edit is refused with permission denied and reaches nobody", async () => {
    const doc = randomDoc('viewer');
    const editor = client(doc, await mintToken(ws, { doc, user: 'ewa', role: 'editor' }));
    await editor.synced('editor');
    editor.text.insert(0, 'Diagnoza problemu. ');
    const viewer = client(doc, await mintToken(ws, { doc, user: 'wiktor', role: 'viewer' }));
    await viewer.synced('viewer');
    await viewer.textMatches('viewer has the content', (s) => s === 'Diagnoza problemu. ');

    const denied = until('permission denied', WAIT, (f) => viewer.on('test-denied', f), () => viewer.denied.length > 0);
    viewer.text.insert(0, 'VIEWER-WRITE ');
    await denied;
    assert.match(viewer.denied[0], /./, 'a reason is given');

    // The viewer still receives live edits after the refusal...
    editor.text.insert(editor.text.length, 'Ścieżka rozwiązania.');
    await viewer.textMatches('viewer receives later edits', (s) => s.includes('Ścieżka rozwiązania.'));
    assert.ok(viewer.provider.wsconnected, 'the viewer is not disconnected for trying');
    // ...but nobody, the editor or a fresh joiner loading the server's state, has its write.
    assert.ok(!editor.text.toString().includes('VIEWER-WRITE'), `editor text: ${editor.text.toString()}`);
    const fresh = client(doc, await mintToken(ws, { doc, user: 'fryderyk', role: 'editor' }));
    await fresh.synced('fresh');
    await fresh.textMatches('fresh client has the editor text', (s) => s.includes('Ścieżka rozwiązania.'));
    assert.equal(fresh.text.toString(), 'Diagnoza problemu. Ścieżka rozwiązania.');

    // A commenter is a viewer on content for now.
    const commenter = client(doc, await mintToken(ws, { doc, user: 'kamil', role: 'commenter' }));
    await commenter.synced('commenter');
    const denied2 = until('commenter denied', WAIT, (f) => commenter.on('test-denied', f), () => commenter.denied.length > 0);
    commenter.text.insert(0, 'COMMENTER-WRITE ');
    await denied2;
    editor.text.insert(editor.text.length, ' Koniec.');
    await fresh.textMatches('fresh sees the next edit', (s) => s.endsWith('Koniec.'));
    assert.ok(!fresh.text.toString().includes('COMMENTER-WRITE'));
  });
});

test('after SIGKILL and restart on the same database, a fresh client loads the content', async () => {
  const ws = await workspace();
  const clients = [];
  let server = await startServer(ws);
  try {
    const doc = randomDoc('restart');
    const writer = new Client(server.syncUrl, doc, await mintToken(ws, { doc, user: 'ola', role: 'editor' }), { ack: true });
    clients.push(writer);
    await writer.synced('writer');
    const body = 'Miejska Inicjatywa Działań: zielone podwórka, 2023–2025. Zażółć gęślą jaźń.';
    writer.text.insert(0, body);
    writer.text.format(0, 7, { bold: true });
    // Durable acknowledgement: only what the server has committed may be expected after a crash.
    await writer.allAcked('writer');
    const delta = writer.text.toDelta();

    const { signal } = await server.kill();
    assert.equal(signal, 'SIGKILL');
    await until('writer notices the crash', WAIT, (f) => writer.on('status', f), () => !writer.provider.wsconnected);
    writer.destroy();

    server = await startServer(ws);
    const reader = new Client(server.syncUrl, doc, await mintToken(ws, { doc, user: 'piotr', role: 'viewer' }));
    clients.push(reader);
    await reader.synced('reader after restart');
    assert.equal(reader.text.toString(), body);
    assert.deepEqual(reader.text.toDelta(), delta);
  } finally {
    for (const c of clients) c.destroy();
    await server.stop();
    await ws.cleanup();
  }
});

/**
 * y-websocket 3.1 closes and reopens its socket when it has received no *message* for
 * `messageReconnectTimeout` (a module constant, 30 s; WebSocket pings do not count). This puts
 * the same check on `provider` with the timeout lowered, so the rule can be tested in seconds.
 */
function lowerReconnectTimeout(provider, ms) {
  clearInterval(provider._checkInterval);
  provider._checkInterval = setInterval(() => {
    if (provider.wsconnected && ms < Date.now() - provider.wsLastMessageReceived) provider.ws.close();
  }, ms / 10);
}

test('a lone idle editor keeps its one connection: the server sends a message before the client gives up', async () => {
  const PERIOD = 3000; // the client's reconnect timeout, lowered from 30 s
  const ws = await workspace();
  // The server's keepalive interval lowered to match (default 20 s against the client's 30 s).
  const server = await startServer(ws, { extraEnv: { NARADA_PING_INTERVAL: '1s' } });
  const doc = randomDoc('lone');
  const lone = new Client(server.syncUrl, doc, await mintToken(ws, { doc, user: 'samotna', role: 'editor' }));
  try {
    await lone.synced('lone');
    lowerReconnectTimeout(lone.provider, PERIOD);
    const statuses = [];
    lone.on('status', ({ status }) => statuses.push(status));
    // Nothing happens for four of the client's periods: the waiting is what is tested.
    await new Promise((resolve) => setTimeout(resolve, 4 * PERIOD));
    assert.deepEqual(statuses, [], 'the client reconnected');
    assert.ok(lone.provider.wsconnected);
    const metrics = await (await fetch(`${server.httpUrl}/metrics`)).text();
    assert.match(metrics, /^narada_connections_total 1$/m, 'the server saw one connection in all');
  } finally {
    lone.destroy();
    await server.stop();
    await ws.cleanup();
  }
});
