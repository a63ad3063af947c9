/**
 * Who is editing what: document names, the person's display name and colour, and the sync token.
 *
 * Nothing here talks to the sync socket; `editor.ts` does. Token rules, in order:
 * 1. `?token=` in the page URL (a link an administrator sent). It is moved out of the address bar
 *    into sessionStorage at once, so it is not shared by copying the address or seen on a
 *    shared screen. A link remembered for this document in this tab (after step 1, or a page
 *    reload) comes next.
 * 2. Signed in: `POST /api/docs/{doc}/token`, which gives the role the permission rules give
 *    this person. Not stored: a new one is asked for on every page load and reconnect.
 * 3. A developer token remembered for this document in this tab, or a new one from
 *    `POST /api/dev/token` as an editor: the server's developer convenience, which it offers
 *    only when its operator turned `dev_tokens` on, and never for a document of a city or
 *    network (it says so in the page).
 * If none works, the caller says why: no access, signed out, or "ask your administrator".
 */

import { ApiError, devTokensOffered, docToken } from './api';
import type { components } from './api-types';

/** Document names the server accepts: 1-128 of A-Z a-z 0-9 . _ - */
export const DOC_NAME_RE = /^[A-Za-z0-9._-]{1,128}$/;

const NAME_KEY = 'narada.name';
const COLOR_KEY = 'narada.color';
const RECENT_KEY = 'narada.recent';
const TOKEN_PREFIX = 'narada.token.';

/**
 * Turns what a person typed ("Plan działań – Łódź 2023") into a document name the server
 * accepts ("Plan-dzialan-Lodz-2023"): Polish letters lose their diacritics, spaces become
 * hyphens, anything else is dropped.
 */
export function toDocName(input: string): string {
  return input
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .replace(/[\s\u2013\u2014/]+/g, '-')
    .replace(/[^A-Za-z0-9._-]/g, '')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 128);
}

function getItem(store: Storage, key: string): string | null {
  try {
    return store.getItem(key);
  } catch {
    return null;
  }
}

function setItem(store: Storage, key: string, value: string): void {
  try {
    store.setItem(key, value);
  } catch {
    // Storage disabled: the value lives only as long as this page.
  }
}

export function displayName(): string {
  return (getItem(localStorage, NAME_KEY) ?? '').trim();
}

export function setDisplayName(name: string): void {
  setItem(localStorage, NAME_KEY, name.trim().slice(0, 100));
}

/**
 * Caret and presence colours. All are dark enough for white label text at 4.5:1 or more
 * (WCAG 1.4.3), and distinct enough to tell five or six people apart.
 */
export const PALETTE = ['#1d5fa8', '#b3261e', '#2e7d32', '#7b1fa2', '#a6430f', '#00695c', '#ad1457', '#4e5b6e'];

export function userColor(): string {
  const saved = getItem(localStorage, COLOR_KEY);
  if (saved && PALETTE.includes(saved)) return saved;
  const color = PALETTE[Math.floor(Math.random() * PALETTE.length)];
  setItem(localStorage, COLOR_KEY, color);
  return color;
}

export function recentDocuments(): string[] {
  try {
    const list = JSON.parse(getItem(localStorage, RECENT_KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((d): d is string => typeof d === 'string' && DOC_NAME_RE.test(d)) : [];
  } catch {
    return [];
  }
}

export function rememberDocument(doc: string): void {
  const list = [doc, ...recentDocuments().filter((d) => d !== doc)].slice(0, 8);
  setItem(localStorage, RECENT_KEY, JSON.stringify(list));
}

/** The claims of a sync token, read without checking the signature (the server checks it). */
export interface TokenClaims {
  doc?: string;
  sub?: string;
  role?: string;
  exp?: number;
}

export function readClaims(token: string): TokenClaims {
  try {
    const part = token.split('.')[1] ?? '';
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : {};
  } catch {
    return {};
  }
}

export function canWrite(role: string | undefined): boolean {
  // Unknown or missing role: assume writable and let the server decide (it refuses politely).
  return role !== 'viewer' && role !== 'commenter';
}

export function isExpired(claims: TokenClaims, marginSeconds = 0): boolean {
  return typeof claims.exp === 'number' && claims.exp * 1000 < Date.now() + marginSeconds * 1000;
}

export type TokenSource = 'link' | 'dev' | 'session';

export interface Access {
  token: string;
  source: TokenSource;
  claims: TokenClaims;
}

export type AccessError = 'failed' | 'expired' | 'other-document' | 'no-access' | 'signed-out';

/** Takes `?token=` out of the address bar and remembers it for this tab. */
export function adoptTokenFromUrl(doc: string): void {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (!token) return;
  setItem(sessionStorage, TOKEN_PREFIX + doc, JSON.stringify({ token, source: 'link' }));
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

function rememberedAccess(doc: string): Access | null {
  try {
    const v = JSON.parse(getItem(sessionStorage, TOKEN_PREFIX + doc) ?? 'null');
    if (v && typeof v.token === 'string' && (v.source === 'link' || v.source === 'dev')) {
      return { token: v.token, source: v.source, claims: readClaims(v.token) };
    }
  } catch {
    // Unreadable: fall through to asking for a new token.
  }
  return null;
}

/** A token for the signed-in person from the accounts API, or why there is none. */
export async function sessionAccess(doc: string): Promise<Access | AccessError> {
  try {
    const { token } = await docToken(doc);
    return { token, source: 'session', claims: readClaims(token) };
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return 'signed-out';
    if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return 'no-access';
    return 'failed';
  }
}

/** Whether this tab holds an administrator's link for `doc` (which wins over signing in). */
export function hasLink(doc: string): boolean {
  return rememberedAccess(doc)?.source === 'link';
}

/** A fresh developer token from the server, or null when the server does not offer them. */
export async function devToken(doc: string, user: string): Promise<Access | null> {
  try {
    const request: components['schemas']['DevTokenRequest'] = { doc, user, role: 'editor' };
    const res = await fetch('/api/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    if (!res.ok) return null;
    const body = (await res.json()) as Partial<components['schemas']['DevToken']> | null;
    if (!body || typeof body.token !== 'string') return null;
    const access: Access = { token: body.token, source: 'dev', claims: readClaims(body.token) };
    setItem(sessionStorage, TOKEN_PREFIX + doc, JSON.stringify({ token: access.token, source: 'dev' }));
    return access;
  } catch {
    return null;
  }
}

/** The token to open `doc` with, following the rules at the top of this file. */
export async function obtainAccess(doc: string, user: string, signedIn: boolean): Promise<Access | AccessError> {
  const remembered = rememberedAccess(doc);
  if (remembered?.source === 'link') {
    if (remembered.claims.doc !== undefined && remembered.claims.doc !== doc) return 'other-document';
    // An administrator's link that ran out cannot be renewed here.
    return isExpired(remembered.claims, 30) ? 'expired' : remembered;
  }
  if (signedIn) return sessionAccess(doc);
  if (remembered && !isExpired(remembered.claims, 30)) return remembered;
  if (!devTokensOffered()) return 'failed';
  return (await devToken(doc, user)) ?? 'failed';
}
