// Shared by the JavaScript tests: start the real `narada` binary on a free loopback port with a
// temporary SQLite database, mint tokens with `narada token`, and wait on events with timeouts.
//
// The binary is NARADA_BIN, else ../target/debug/narada (build it with `cargo build -p
// narada-server` first). Both the server and `narada token` get the same NARADA_SECRET, so the
// tokens verify without sharing anything else.

import { spawn, execFile } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function naradaBin() {
  const bin = process.env.NARADA_BIN || path.resolve(webDir, '../target/debug/narada');
  if (!existsSync(bin)) {
    throw new Error(`narada binary not found at ${bin}: run \`cargo build -p narada-server\` or set NARADA_BIN`);
  }
  return bin;
}

/** A port nobody listens on right now (the OS picks it; we release it for the server). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Resolves when `check()` returns a truthy value (which it resolves with). `check` runs now and
 * after every notification from `subscribe(notify)`, which must return an unsubscribe function.
 * Rejects after `ms` with `label` in the message: a wait on an event, never a sleep.
 */
export function until(label, ms, subscribe, check) {
  return new Promise((resolve, reject) => {
    let done = false;
    let unsubscribe = () => {};
    const finish = (fn, v) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      fn(v);
    };
    const timer = setTimeout(() => finish(reject, new Error(`timed out after ${ms} ms waiting for ${label}`)), ms);
    const attempt = () => {
      try {
        const v = check();
        if (v) finish(resolve, v);
      } catch (e) {
        finish(reject, e);
      }
    };
    unsubscribe = subscribe(attempt);
    attempt();
  });
}

/** Makes a workspace (temp dir + secret) that servers and `narada token` share. */
export async function workspace() {
  const dir = await mkdtemp(path.join(tmpdir(), 'narada-js-'));
  return {
    dir,
    secret: randomBytes(32).toString('hex'),
    databaseUrl: `sqlite://${path.join(dir, 'narada.db')}`,
    async cleanup() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function envFor(ws, extra = {}) {
  const env = { ...process.env, NARADA_SECRET: ws.secret, DATABASE_URL: ws.databaseUrl, NO_COLOR: '1', ...extra };
  // A developer's own config must not leak into the test server.
  delete env.NARADA_CONFIG;
  delete env.REDIS_URL;
  return env;
}

/**
 * Starts `narada serve` on `port` (default: a free one); resolves once it logs that it is
 * listening.
 */
export async function startServer(ws, { port: wanted, extraEnv = {}, timeoutMs = 30_000 } = {}) {
  const bin = naradaBin();
  const port = wanted ?? (await freePort());
  const addr = `127.0.0.1:${port}`;
  const child = spawn(bin, ['serve', '--addr', addr, '--database-url', ws.databaseUrl], {
    env: envFor(ws, { RUST_LOG: process.env.RUST_LOG || 'info', ...extraEnv }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`narada did not report listening within ${timeoutMs} ms. Log:\n${log}`));
    }, timeoutMs);
    const onData = (chunk) => {
      log += chunk.toString();
      // NARADA_TEST_LOG=/path keeps every test server's log for a look afterwards.
      if (process.env.NARADA_TEST_LOG) appendFileSync(process.env.NARADA_TEST_LOG, chunk);
      if (/listening/i.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`narada exited early (code ${code}, signal ${signal}). Log:\n${log}`));
    });
  });
  return {
    port,
    httpUrl: `http://${addr}`,
    syncUrl: `ws://${addr}/sync`,
    get log() {
      return log;
    },
    /** SIGKILL: no flushing, no goodbye (what a crash looks like). */
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
    /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

/** Runs a `narada` command on the workspace's database; resolves with its standard output. */
function runNarada(ws, args) {
  return new Promise((resolve, reject) => {
    execFile(naradaBin(), [...args, '--database-url', ws.databaseUrl], { env: envFor(ws) }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`narada ${args[0]} failed: ${err.message}\n${stderr}`));
      resolve(stdout);
    });
  });
}

/** A token from `narada token` for one person and role on one document. */
export async function mintToken(ws, { doc, user, role, ttl = '1h' }) {
  const stdout = await runNarada(ws, ['token', '--doc', doc, '--user', user, '--role', role, '--ttl', ttl]);
  const token = stdout.trim().split('\n').pop()?.trim();
  if (!token) throw new Error('narada token printed nothing');
  return token;
}

/**
 * `narada seed --demo`: three networks, Kraków/Gdańsk/Lublin/Rzeszów, one person of every role
 * (password DEMO_PASSWORD) and seven documents (crates/narada-accounts/src/seed.rs).
 */
export async function seedDemo(ws) {
  await runNarada(ws, ['seed', '--demo']);
}

export const DEMO_PASSWORD = 'narada-demo-2023';

export function randomDoc(prefix) {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** Signs in to the accounts API from Node; `call` then makes requests as that person. */
export async function apiSession(baseUrl, email, password = DEMO_PASSWORD) {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`${email} could not sign in: ${res.status}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { person, csrf_token: csrf } = await res.json();
  async function call(method, route, body) {
    const headers = { cookie, 'x-csrf-token': csrf };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(`${baseUrl}/api${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }
  return { person, call };
}
