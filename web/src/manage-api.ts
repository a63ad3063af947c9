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
import type { components, operations } from './api-types';

type Schemas = components['schemas'];

const doc = (id: string) => `/docs/${encodeURIComponent(id)}`;

export type Grantee = Schemas['Grantee'];
/**
 * Whom to share with: a city or a person by id, or a person by the email of their account.
 * Narrower than the API's `ShareTo` (which has a person's `id` and `email` both optional and
 * takes exactly one): the page always names one; `putShare` checks it fits the API's type.
 */
export type ShareTarget = Grantee | { kind: 'person'; email: string };
/** A share with the grantee's name (and a person's email, for those who may share). */
export type Share = Schemas['ListedShare'];

export const SHARE_ROLES: readonly DocRole[] = ['viewer', 'commenter', 'editor', 'moderator'];
export const ACCOUNT_ROLES: readonly AccountRole[] = ['admin', 'moderator', 'editor', 'commenter', 'viewer'];

export function renameDoc(id: string, title: string): Promise<DocView> {
  const body: Schemas['RenameBody'] = { title };
  return request<DocView>('PATCH', doc(id), body);
}

export function moveDoc(id: string, owner: Owner): Promise<DocView> {
  const body: Schemas['MoveBody'] = { owner };
  return request<DocView>('POST', `${doc(id)}/move`, body);
}

export type DocChange = 'archive' | 'unarchive' | 'restore' | 'delete';

/** Archives, unarchives, restores or (softly) deletes a document. */
export function changeDoc(id: string, change: DocChange): Promise<DocView> {
  return change === 'delete' ? request<DocView>('DELETE', doc(id)) : request<DocView>('POST', `${doc(id)}/${change}`);
}

export async function listShares(id: string): Promise<Share[]> {
  return (await request<Schemas['ShareList']>('GET', `${doc(id)}/shares`)).shares;
}

/** Adds a share, or changes its role; answers with every share of the document. */
export async function putShare(id: string, grantee: ShareTarget, role: DocRole): Promise<Share[]> {
  const body: Schemas['ShareBody'] = { grantee, role };
  return (await request<Schemas['ShareList']>('PUT', `${doc(id)}/shares`, body)).shares;
}

export async function removeShare(id: string, grantee: Grantee): Promise<Share[]> {
  return (await request<Schemas['ShareList']>('DELETE', `${doc(id)}/shares/${grantee.kind}/${grantee.id}`)).shares;
}

// ---- administration ----

/** A one-time link (invitation or password reset) to hand over. */
export type Link = Schemas['Link'];
export type NewPerson = Schemas['CreatePersonBody'];

export async function listPeople(): Promise<Person[]> {
  return (await request<Schemas['PeopleList']>('GET', '/admin/people')).people;
}

export function createPerson(p: NewPerson): Promise<Schemas['Invited']> {
  return request<Schemas['Invited']>('POST', '/admin/people', p);
}

export function updatePerson(id: number, change: Schemas['UpdatePersonBody']): Promise<Person> {
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
  const body: Schemas['CityBody'] = { name, networks };
  return request<City>('POST', '/admin/cities', body);
}

export function renameCity(id: number, name: string): Promise<City> {
  const body: Schemas['NameBody'] = { name };
  return request<City>('PATCH', `/admin/cities/${id}`, body);
}

export function setCityNetwork(city: number, network: number, add: boolean): Promise<City> {
  return request<City>(add ? 'PUT' : 'DELETE', `/admin/cities/${city}/networks/${network}`);
}

export function createNetwork(name: string): Promise<Network> {
  const body: Schemas['NameBody'] = { name };
  return request<Network>('POST', '/admin/networks', body);
}

export function renameNetwork(id: number, name: string): Promise<Network> {
  const body: Schemas['NameBody'] = { name };
  return request<Network>('PATCH', `/admin/networks/${id}`, body);
}

export type AuditRecord = Schemas['AuditRecord'];
/** The filters of `GET /api/admin/audit`. */
export type AuditFilter = NonNullable<operations['audit_list']['parameters']['query']>;

export async function listAudit(filter: AuditFilter): Promise<AuditRecord[]> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') params.set(k, String(v));
  const query = params.toString();
  return (await request<Schemas['AuditList']>('GET', `/admin/audit${query ? `?${query}` : ''}`)).records;
}

/** Everything kept about one person (RODO): their record and every audit record about them. */
export function exportPerson(id: number): Promise<Schemas['PersonExport']> {
  return request<Schemas['PersonExport']>('GET', `/admin/audit/people/${id}`);
}
