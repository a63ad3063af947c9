/**
 * The parts of the accounts API that change things beyond one's own session: managing a
 * document (rename, move, archive, delete, restore, shares) and the administrators' `/admin/*`
 * (people, cities, networks, one-time links, the audit trail). Each is one call of `request`,
 * so the CSRF header and the error mapping are those of `api.ts`; the server decides who may.
 */

import {
  type AccountRole,
  type City,
  type DocRole,
  type DocView,
  type Network,
  type Owner,
  type Person,
  request,
} from './api';

const doc = (id: string) => `/docs/${encodeURIComponent(id)}`;

export interface Grantee {
  kind: 'person' | 'city';
  id: number;
}

/** Whom to share with: a grantee by id, or a person by the email of their account. */
export type ShareTarget = Grantee | { kind: 'person'; email: string };

export interface Share {
  grantee: Grantee;
  role: DocRole;
  /** The person's or the city's name. */
  name: string;
  /** A person's email; the server sends it only to those who may share the document. */
  email?: string;
}

export const SHARE_ROLES: readonly DocRole[] = ['viewer', 'commenter', 'editor', 'moderator'];
export const ACCOUNT_ROLES: readonly AccountRole[] = ['admin', 'moderator', 'editor', 'commenter', 'viewer'];

export function renameDoc(id: string, title: string): Promise<DocView> {
  return request<DocView>('PATCH', doc(id), { title });
}

export function moveDoc(id: string, owner: Owner): Promise<DocView> {
  return request<DocView>('POST', `${doc(id)}/move`, { owner });
}

export type DocChange = 'archive' | 'unarchive' | 'restore' | 'delete';

/** Archives, unarchives, restores or (softly) deletes a document. */
export function changeDoc(id: string, change: DocChange): Promise<DocView> {
  return change === 'delete' ? request<DocView>('DELETE', doc(id)) : request<DocView>('POST', `${doc(id)}/${change}`);
}

export async function listShares(id: string): Promise<Share[]> {
  return (await request<{ shares: Share[] }>('GET', `${doc(id)}/shares`)).shares;
}

/** Adds a share, or changes its role; answers with every share of the document. */
export async function putShare(id: string, grantee: ShareTarget, role: DocRole): Promise<Share[]> {
  return (await request<{ shares: Share[] }>('PUT', `${doc(id)}/shares`, { grantee, role })).shares;
}

export async function removeShare(id: string, grantee: Grantee): Promise<Share[]> {
  return (await request<{ shares: Share[] }>('DELETE', `${doc(id)}/shares/${grantee.kind}/${grantee.id}`)).shares;
}

// ---- administration ----

export interface Link {
  token: string;
  link: string;
  expires_at: number;
}

export interface NewPerson {
  email: string;
  name: string;
  role: AccountRole;
  cities: number[];
  networks: number[];
}

export async function listPeople(): Promise<Person[]> {
  return (await request<{ people: Person[] }>('GET', '/admin/people')).people;
}

export function createPerson(p: NewPerson): Promise<{ person: Person; invite: Link }> {
  return request('POST', '/admin/people', p);
}

export function updatePerson(id: number, change: { name?: string; role?: AccountRole; disabled?: boolean }): Promise<Person> {
  return request<Person>('PATCH', `/admin/people/${id}`, change);
}

/** Adds the person to a city or network (`add`), or takes them out of it. */
export function setMembership(person: number, what: 'cities' | 'networks', id: number, add: boolean): Promise<Person> {
  return request<Person>(add ? 'PUT' : 'DELETE', `/admin/people/${person}/${what}/${id}`);
}

export function personLink(person: number, kind: 'invite' | 'reset-link'): Promise<Link> {
  return request<Link>('POST', `/admin/people/${person}/${kind}`);
}

export function createCity(name: string, networks: number[]): Promise<City> {
  return request<City>('POST', '/admin/cities', { name, networks });
}

export function renameCity(id: number, name: string): Promise<City> {
  return request<City>('PATCH', `/admin/cities/${id}`, { name });
}

export function setCityNetwork(city: number, network: number, add: boolean): Promise<City> {
  return request<City>(add ? 'PUT' : 'DELETE', `/admin/cities/${city}/networks/${network}`);
}

export function createNetwork(name: string): Promise<Network> {
  return request<Network>('POST', '/admin/networks', { name });
}

export function renameNetwork(id: number, name: string): Promise<Network> {
  return request<Network>('PATCH', `/admin/networks/${id}`, { name });
}

export interface AuditRecord {
  id: number;
  at: number;
  actor_id: number | null;
  actor_email: string | null;
  action: string;
  target_kind: string | null;
  target_id: string | null;
  subject_id: number | null;
  detail: unknown;
  ip: string | null;
  /** Current names of the actor, the subject and the target (a document's title), if known. */
  actor_name?: string | null;
  subject_name?: string | null;
  target_name?: string | null;
}

export interface AuditFilter {
  person?: number;
  action?: string;
  since?: number;
  until?: number;
  before_id?: number;
}

export async function listAudit(filter: AuditFilter): Promise<AuditRecord[]> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') params.set(k, String(v));
  const query = params.toString();
  return (await request<{ records: AuditRecord[] }>('GET', `/admin/audit${query ? `?${query}` : ''}`)).records;
}

/** Everything kept about one person (RODO): their record and every audit record about them. */
export function exportPerson(id: number): Promise<unknown> {
  return request<unknown>('GET', `/admin/audit/people/${id}`);
}
