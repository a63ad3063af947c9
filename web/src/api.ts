/**
 * The accounts API (`/api/setup`, `/api/auth`, `/api/docs`, `/api/networks`, `/api/cities`) as the
 * pages use it.
 *
 * Requests go with the session cookie (same origin, HttpOnly: the page never sees it). Every
 * request that changes something carries the session's CSRF token in `X-CSRF-Token`; the token
 * arrives in the answers of sign-in, accept-invite, reset and `GET /api/auth/me` and is kept in
 * memory and in this tab's sessionStorage, with the readable `narada_csrf` cookie as fallback.
 * Failures become `ApiError` with the server's stable `code` (`network` when it was unreachable).
 *
 * The wire types are the server's own: `api-types.ts` is generated from its OpenAPI description
 * (`npm run gen:api`), and the names below only give them the pages' words.
 */

import type { components, operations } from './api-types';

type Schemas = components['schemas'];

export type AccountRole = Schemas['AccountRole'];
export type DocRole = Schemas['Role'];
export type DocKind = Schemas['DocKind'];
export const DOC_KINDS: readonly DocKind[] = ['mid', 'plan_ulepszen', 'notes', 'other'];
export type Owner = Schemas['Owner'];
export type Person = Schemas['Person'];
/** A document with the caller's role on it and what they may do with it. */
export type DocView = Schemas['DocView'];
/** One document with its shares (null unless the caller may share it). */
export type DocDetail = Schemas['DocDetail'];
export type Network = Schemas['Network'];
export type City = Schemas['City'];
export type SyncToken = Schemas['SyncToken'];
/** The filters of `GET /api/docs`. */
export type DocFilter = NonNullable<operations['list_docs']['parameters']['query']>;
/** `exclude` (default), `include` or `only` archived (and, for admins, deleted) documents. */
export type Visibility = NonNullable<DocFilter['archived']>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** `Retry-After` of a 429, in seconds, when the server sent one. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

const CSRF_KEY = 'narada.csrf';
const CSRF_COOKIE = 'narada_csrf';
let csrf: string | null = null;

function csrfCookie(): string | null {
  const pair = document.cookie.split(';').map((c) => c.trim().split('=')).find(([k]) => k === CSRF_COOKIE);
  return pair && pair[1] ? decodeURIComponent(pair[1]) : null;
}

function rememberCsrf(token: string): void {
  csrf = token;
  try {
    sessionStorage.setItem(CSRF_KEY, token);
  } catch {
    // Kept in memory only.
  }
}

function csrfToken(): string | null {
  if (csrf) return csrf;
  try {
    csrf = sessionStorage.getItem(CSRF_KEY);
  } catch {
    csrf = null;
  }
  return csrf ?? csrfCookie();
}

/** Forgets the session's CSRF token (and its cookie, which outlives a session that expired). */
function forgetSession(): void {
  csrf = null;
  knownPerson = null;
  try {
    sessionStorage.removeItem(CSRF_KEY);
  } catch {
    // Nothing stored.
  }
  document.cookie = `${CSRF_COOKIE}=; Path=/; Max-Age=0; SameSite=Strict`;
}

/** One request to `/api{path}` (CSRF header on writes); failures become `ApiError`. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = method === 'GET' ? null : csrfToken();
  if (token) headers['x-csrf-token'] = token;
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network', 'the server could not be reached');
  }
  let data: unknown = null;
  if (res.status !== 204) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = typeof err?.code === 'string' ? err.code : `http_${res.status}`;
    const message = typeof err?.message === 'string' ? err.message : res.statusText;
    if (res.status === 401) forgetSession();
    const retry = Number(res.headers.get('retry-after'));
    throw new ApiError(res.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }
  return data as T;
}

type SignedIn = Schemas['SignedIn'];

let knownPerson: Promise<Person | null> | null = null;

function signedIn(answer: SignedIn): Person {
  rememberCsrf(answer.csrf_token);
  knownPerson = Promise.resolve(answer.person);
  return answer.person;
}

/**
 * The signed-in person, or null. Without the session's readable CSRF cookie there is no
 * session, so nobody is asked (and the browser logs no refused request for a first visit).
 */
export function currentPerson(): Promise<Person | null> {
  if (!knownPerson) {
    knownPerson = csrfToken() === null
      ? Promise.resolve(null)
      : request<SignedIn>('GET', '/auth/me').then(signedIn, (e) => {
          if (e instanceof ApiError && e.status === 401) return null;
          throw e;
        });
  }
  return knownPerson;
}

export async function signIn(email: string, password: string): Promise<Person> {
  const body: Schemas['LoginBody'] = { email, password };
  return signedIn(await request<SignedIn>('POST', '/auth/login', body));
}

/** Whether this server waits for its first-run setup (`GET /api/setup`). */
export async function setupPending(): Promise<boolean> {
  return (await request<{ pending: boolean }>('GET', '/setup')).pending;
}

/** First-run setup: creates the first administrator with the code from the server log. */
export async function completeSetup(code: string, email: string, name: string, password: string): Promise<Person> {
  return signedIn(await request<SignedIn>('POST', '/setup', { code, email, name, password }));
}

export type LinkKind = 'invite' | 'reset';

/** Sets the password with a one-time link's token; the person is signed in afterwards. */
export async function setPasswordWithLink(kind: LinkKind, token: string, password: string): Promise<Person> {
  const path = kind === 'invite' ? '/auth/accept-invite' : '/auth/reset-password';
  const body: Schemas['LinkBody'] = { token, password };
  return signedIn(await request<SignedIn>('POST', path, body));
}

/** Ends this session, or every session of the person (which also closes their sockets). */
export async function signOut(everywhere: boolean): Promise<void> {
  try {
    await request<void>('POST', everywhere ? '/auth/logout-all' : '/auth/logout');
  } finally {
    forgetSession();
  }
}

export async function listDocs(filter: DocFilter): Promise<DocView[]> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) {
    if (v !== undefined && v !== '') params.set(k, String(v));
  }
  const query = params.toString();
  return (await request<Schemas['DocList']>('GET', `/docs${query ? `?${query}` : ''}`)).docs;
}

export function getDoc(id: string): Promise<DocDetail> {
  return request<DocDetail>('GET', `/docs/${encodeURIComponent(id)}`);
}

export function createDoc(title: string, kind: DocKind, owner: Owner): Promise<DocView> {
  const body: Schemas['CreateDocBody'] = { title, kind, owner };
  return request<DocView>('POST', '/docs', body);
}

/** A short-lived sync token for the document, with the role the rules give the caller. */
export function docToken(id: string): Promise<SyncToken> {
  return request<SyncToken>('POST', `/docs/${encodeURIComponent(id)}/token`);
}

export async function listNetworks(): Promise<Network[]> {
  return (await request<Schemas['NetworkList']>('GET', '/networks')).networks;
}

export async function listCities(): Promise<City[]> {
  return (await request<Schemas['CityList']>('GET', '/cities')).cities;
}

/** Whether this server hands out developer tokens (it says so in the page, see web.rs). */
export function devTokensOffered(): boolean {
  return document.querySelector('meta[name="narada-dev-tokens"]')?.getAttribute('content') === 'on';
}

/** A path on this site to go to after signing in: only same-site paths, never `//host`. */
export function safeNext(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';
}
