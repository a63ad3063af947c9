/**
 * The accounts API (`/api/auth`, `/api/docs`, `/api/networks`, `/api/cities`) as the pages use it.
 *
 * Requests go with the session cookie (same origin, HttpOnly: the page never sees it). Every
 * request that changes something carries the session's CSRF token in `X-CSRF-Token`; the token
 * arrives in the answers of sign-in, accept-invite, reset and `GET /api/auth/me` and is kept in
 * memory and in this tab's sessionStorage, with the readable `narada_csrf` cookie as fallback.
 * Failures become `ApiError` with the server's stable `code` (`network` when it was unreachable).
 */

export type AccountRole = 'admin' | 'moderator' | 'editor' | 'commenter' | 'viewer';
export type DocRole = 'moderator' | 'editor' | 'commenter' | 'viewer';
export type DocKind = 'mid' | 'plan_ulepszen' | 'notes' | 'other';
export const DOC_KINDS: readonly DocKind[] = ['mid', 'plan_ulepszen', 'notes', 'other'];

export interface Owner {
  kind: 'city' | 'network';
  id: number;
}

export interface Person {
  id: number;
  email: string;
  name: string;
  role: AccountRole;
  /** The account is switched off (no sign-in, no access anywhere). */
  disabled?: boolean;
  /** The person has set a password (accepted their invitation). */
  active?: boolean;
  /** Cities the person belongs to. */
  cities: number[];
  /** Networks the person is assigned to (not those of their cities). */
  networks: number[];
}

export interface DocView {
  id: string;
  title: string;
  kind: DocKind;
  owner: Owner;
  archived_at?: number | null;
  deleted_at?: number | null;
  /** The caller's effective role on the document. */
  role: DocRole | null;
  can: string[];
}

export interface Network {
  id: number;
  name: string;
}

export interface City {
  id: number;
  name: string;
  networks: number[];
}

export interface SyncToken {
  token: string;
  role: DocRole;
  doc: string;
  expires_at: number;
}

export interface DocFilter {
  network?: number;
  city?: number;
  kind?: DocKind;
  q?: string;
  /** `exclude` (default), `include` or `only` archived (and, for admins, deleted) documents. */
  archived?: Visibility;
  deleted?: Visibility;
}

export type Visibility = 'exclude' | 'include' | 'only';

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

interface SignedIn {
  person: Person;
  csrf_token: string;
}

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
  return signedIn(await request<SignedIn>('POST', '/auth/login', { email, password }));
}

export type LinkKind = 'invite' | 'reset';

/** Sets the password with a one-time link's token; the person is signed in afterwards. */
export async function setPasswordWithLink(kind: LinkKind, token: string, password: string): Promise<Person> {
  const path = kind === 'invite' ? '/auth/accept-invite' : '/auth/reset-password';
  return signedIn(await request<SignedIn>('POST', path, { token, password }));
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
  return (await request<{ docs: DocView[] }>('GET', `/docs${query ? `?${query}` : ''}`)).docs;
}

export function getDoc(id: string): Promise<DocView> {
  return request<DocView>('GET', `/docs/${encodeURIComponent(id)}`);
}

export function createDoc(title: string, kind: DocKind, owner: Owner): Promise<DocView> {
  return request<DocView>('POST', '/docs', { title, kind, owner });
}

/** A short-lived sync token for the document, with the role the rules give the caller. */
export function docToken(id: string): Promise<SyncToken> {
  return request<SyncToken>('POST', `/docs/${encodeURIComponent(id)}/token`);
}

export async function listNetworks(): Promise<Network[]> {
  return (await request<{ networks: Network[] }>('GET', '/networks')).networks;
}

export async function listCities(): Promise<City[]> {
  return (await request<{ cities: City[] }>('GET', '/cities')).cities;
}

/** Whether this server hands out developer tokens (it says so in the page, see web.rs). */
export function devTokensOffered(): boolean {
  return document.querySelector('meta[name="narada-dev-tokens"]')?.getAttribute('content') === 'on';
}

/** A path on this site to go to after signing in: only same-site paths, never `//host`. */
export function safeNext(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';
}
