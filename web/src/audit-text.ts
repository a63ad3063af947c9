/**
 * An audit record in words, for the audit page: who did it and whom or what it concerns by name
 * (the server sends current names beside the ids; people, cities and networks in the details
 * are named from the administrator's directories), and the details as "label: value" lines
 * instead of the stored JSON. Everything is written in the current language; an unknown detail
 * (a newer server) is shown as its key and value.
 */

import { type MessageKey, auditReasonLabel, t } from './i18n';
import type { City, Network, Owner, Person } from './api';
import type { AuditRecord } from './manage-api';

/** What names the ids in records. */
export interface Directory {
  people: Person[];
  cities: City[];
  networks: Network[];
}

const named = (list: { id: number; name: string }[], id: unknown) =>
  list.find((x) => x.id === id)?.name ?? `#${String(id)}`;

/** A person by id: name and email from the directory, else the name the record carries. */
export function personText(dir: Directory, id: number | null, name?: string | null, email?: string | null): string {
  const p = dir.people.find((x) => x.id === id);
  if (p) return t('shareNameEmail', { name: p.name, email: p.email });
  if (name) return email ? t('shareNameEmail', { name, email }) : name;
  if (id === null) {
    // No account: the server's command line (`narada user add`, the seed), or an address that
    // tried to sign in.
    if (email === 'cli') return t('auditCommandLine');
    return email ?? '—';
  }
  return t('auditPersonNumber', { id });
}

export const actorText = (r: AuditRecord, dir: Directory) => personText(dir, r.actor_id, r.actor_name, r.actor_email);

export const subjectText = (r: AuditRecord, dir: Directory) =>
  r.subject_id === null ? '—' : personText(dir, r.subject_id, r.subject_name);

function ownerText(dir: Directory, owner: unknown): string {
  const o = owner as Partial<Owner> | null;
  if (o?.kind === 'city') return t('ownerCity', { name: named(dir.cities, o.id) });
  if (o?.kind === 'network') return t('ownerNetwork', { name: named(dir.networks, o.id) });
  return JSON.stringify(owner);
}

/** Whom or what the record concerns: a document by title, a city or network, a person. */
export function targetText(r: AuditRecord, dir: Directory): string {
  if (r.target_kind === null || r.target_id === null) return '—';
  const id = Number(r.target_id);
  switch (r.target_kind) {
    case 'doc':
      return t('auditTargetDoc', { title: r.target_name ?? r.target_id });
    case 'city':
      return t('ownerCity', { name: r.target_name ?? named(dir.cities, id) });
    case 'network':
      return t('ownerNetwork', { name: r.target_name ?? named(dir.networks, id) });
    case 'person':
      return personText(dir, id, r.target_name);
    default:
      return `${r.target_kind} ${r.target_id}`;
  }
}

const yesNo = (v: unknown) => t(v ? 'auditYes' : 'auditNo');
const change = (from: string, to: string) => `${from} → ${to}`;

/** Details whose label is fixed and whose value needs only the directory. */
const PLAIN: Record<string, [MessageKey, (v: unknown, dir: Directory) => string]> = {
  email: ['emailLabel', String],
  city: ['filterCity', (v, dir) => named(dir.cities, v)],
  network: ['filterNetwork', (v, dir) => named(dir.networks, v)],
  disabled: ['auditDisabled', yesNo],
  locked: ['auditLocked', yesNo],
  people: ['adminPeople', String],
  records: ['auditRecords', String],
  reason: ['auditReason', (v) => auditReasonLabel(String(v))],
  via: ['auditVia', (v) => (v === 'cli' ? t('auditCommandLine') : String(v))],
  title: ['colTitle', String],
  kind: ['colKind', (v) => t(`kind_${String(v)}` as MessageKey)],
  owner: ['colOwner', (v, dir) => ownerText(dir, v)],
  format: ['auditFormat', String],
};

/** The details as "label: value" lines (none for a record without details). */
export function detailLines(r: AuditRecord, dir: Directory): string[] {
  const d = r.detail && typeof r.detail === 'object' ? (r.detail as Record<string, unknown>) : {};
  const aboutPerson = r.target_kind === 'person';
  const role = (v: unknown) => t(`${aboutPerson ? 'accountRole' : 'role'}_${String(v)}` as MessageKey);
  const line = (label: MessageKey, value: string) => `${t(label)}: ${value}`;
  const lines: string[] = [];
  for (const [key, v] of Object.entries(d)) {
    if (v === null || v === undefined || key === 'to') continue;
    const plain = PLAIN[key];
    if (plain) {
      lines.push(line(plain[0], plain[1](v, dir)));
      continue;
    }
    switch (key) {
      case 'name':
        lines.push(line(aboutPerson ? 'colPersonName' : 'colName', String(v)));
        break;
      case 'role': {
        const c = v as { from?: unknown; to?: unknown };
        const text = typeof v === 'object' ? change(role(c.from), role(c.to)) : role(v);
        lines.push(line(aboutPerson ? 'colAccountRole' : 'shareRole', text));
        break;
      }
      case 'cities':
      case 'networks': {
        const ids = Array.isArray(v) ? v : [];
        const from = key === 'cities' ? dir.cities : dir.networks;
        lines.push(line(key === 'cities' ? 'colCities' : 'colNetworks', ids.map((id) => named(from, id)).join(', ') || '—'));
        break;
      }
      case 'from':
        // With `to`: a new owner (doc.move) or title (doc.rename).
        if (r.action === 'doc.move') lines.push(line('colOwner', change(ownerText(dir, v), ownerText(dir, d.to))));
        else lines.push(line('colTitle', change(String(v), String(d.to))));
        break;
      case 'grantee': {
        const g = v as { kind?: string; id?: number };
        lines.push(line('shareWith', g.kind === 'city' ? t('ownerCity', { name: named(dir.cities, g.id) }) : personText(dir, g.id ?? null)));
        break;
      }
      default:
        lines.push(`${key}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    }
  }
  return lines;
}
