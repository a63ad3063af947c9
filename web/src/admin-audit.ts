/**
 * Administration → audit trail (`/admin/audit`): the records of `GET /api/admin/audit`, newest
 * first, filtered by person (as actor or subject), action and time; "older records" pages back.
 * With a person chosen, "export" downloads everything kept about them as JSON (the RODO access
 * request, `GET /api/admin/audit/people/{id}`, itself audited).
 */

import { AUDIT_ACTION_CODES, auditActionLabel, t, lang, onLanguageChange } from './i18n';
import { $, fragment, tableHtml } from './ui';
import { FormProblems, fieldHtml, refusal, summaryHtml } from './forms';
import { type Person } from './api';
import { type AuditFilter, type AuditRecord, exportPerson, listAudit, listPeople } from './manage-api';

/** A `datetime-local` value as milliseconds since the epoch (local time), or undefined. */
function millis(input: HTMLInputElement): number | undefined {
  const ms = input.value ? new Date(input.value).getTime() : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

export async function mountAudit(main: HTMLElement, _me: Person): Promise<void> {
  main.append(
    fragment(`
      <h2 data-i18n="adminAudit"></h2>
      ${summaryHtml(3)}
      <form class="filters audit__filters" novalidate>
        ${fieldHtml('audit-person', 'auditPerson', '<select id="audit-person"><option value="" data-i18n="auditAllPeople"></option></select>')}
        ${fieldHtml('audit-action', 'auditAction', `<input id="audit-action" type="text" list="audit-actions" maxlength="64" autocomplete="off"><datalist id="audit-actions"></datalist>`)}
        ${fieldHtml('audit-since', 'auditSince', '<input id="audit-since" type="datetime-local">')}
        ${fieldHtml('audit-until', 'auditUntil', '<input id="audit-until" type="datetime-local">')}
        <button class="button button--primary" type="submit" data-i18n="auditShow"></button>
      </form>
      <p class="audit__export" hidden><button class="button button--secondary" type="button" data-i18n="auditExport"></button></p>
      <p class="audit__count" role="status"></p>
      ${tableHtml('docs audit', 'adminAudit', ['auditAt', 'auditActor', 'auditAction', 'auditTarget', 'auditSubject', 'auditDetail'])}
      <p><button class="button button--secondary audit__older" type="button" data-i18n="auditOlder" hidden></button></p>`),
  );
  const personSel = $<HTMLSelectElement>(main, '#audit-person');
  const action = $<HTMLInputElement>(main, '#audit-action');
  const since = $<HTMLInputElement>(main, '#audit-since');
  const until = $<HTMLInputElement>(main, '#audit-until');
  // Offered by code (what the filter matches) with its meaning as the label.
  const suggestions = $(main, '#audit-actions');
  const offerActions = () =>
    suggestions.replaceChildren(
      ...AUDIT_ACTION_CODES.map((code) => {
        const option = document.createElement('option');
        option.value = code;
        option.label = auditActionLabel(code);
        return option;
      }),
    );
  offerActions();
  const problems = new FormProblems($(main, '.problem-summary'), [personSel, action, since, until]);
  const count = $(main, '.audit__count');
  const tbody = $(main, 'tbody');
  const older = $<HTMLButtonElement>(main, '.audit__older');
  const exportBox = $(main, '.audit__export');

  let people: Person[] = [];
  let records: AuditRecord[] = [];
  let filter: AuditFilter = {};
  const who = (id: number | null, email?: string | null) => {
    const p = people.find((x) => x.id === id);
    return p ? `${p.name} (${p.email})` : (email ?? (id === null ? '—' : `#${id}`));
  };
  // The meaning first, the code after it (what the filter takes and what exports contain).
  const actionText = (code: string) => {
    const label = auditActionLabel(code);
    return label === code ? code : `${label} (${code})`;
  };
  const row = (r: AuditRecord) => {
    const tr = document.createElement('tr');
    tr.dataset.action = r.action;
    const at = document.createElement('td');
    const time = document.createElement('time');
    time.dateTime = new Date(r.at).toISOString();
    time.textContent = new Date(r.at).toLocaleString(lang() === 'pl' ? 'pl-PL' : 'en-GB');
    at.append(time);
    const cells = [who(r.actor_id, r.actor_email), actionText(r.action), [r.target_kind, r.target_id].filter(Boolean).join(' '), r.subject_id === null ? '—' : who(r.subject_id), JSON.stringify(r.detail ?? null)].map((text) => {
      const td = document.createElement('td');
      td.textContent = text;
      return td;
    });
    tr.append(at, ...cells);
    return tr;
  };

  const load = async (append: boolean) => {
    try {
      const page = await listAudit({ ...filter, before_id: append ? records[records.length - 1]?.id : undefined });
      records = append ? [...records, ...page] : page;
      problems.show([]);
    } catch (e) {
      problems.show([refusal(e)]);
      return;
    }
    tbody.replaceChildren(...records.map(row));
    count.textContent = t('auditCount', { n: records.length });
    older.hidden = records.length === 0 || records.length % 200 !== 0;
    exportBox.hidden = filter.person === undefined;
  };

  $(main, 'form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const from = millis(since);
    const to = millis(until);
    if (from !== undefined && to !== undefined && to <= from) {
      problems.show([{ field: until, text: () => t('auditUntilBeforeSince') }]);
      return;
    }
    filter = {
      person: personSel.value ? Number(personSel.value) : undefined,
      action: action.value.trim() || undefined,
      since: from,
      until: to,
    };
    void load(false);
  });
  older.addEventListener('click', () => void load(true));
  // Action names and times are written in the page's language; switch them with it.
  onLanguageChange(() => {
    offerActions();
    tbody.replaceChildren(...records.map(row));
  });
  $(exportBox, 'button').addEventListener('click', async () => {
    const id = filter.person;
    if (id === undefined) return;
    try {
      const data = await exportPerson(id);
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `narada-person-${id}.json`;
      document.body.append(a);
      a.click();
      a.remove();
      // Revoked once the browser has surely read it (revoking at once can cancel the download).
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
      count.textContent = t('auditExported', { name: who(id) });
    } catch (e) {
      problems.show([refusal(e)]);
    }
  });

  try {
    people = await listPeople();
  } catch {
    // People then show by email or number; the list below reports the failure.
  }
  for (const p of people) {
    const o = document.createElement('option');
    o.value = String(p.id);
    o.textContent = `${p.name} (${p.email})`;
    personSel.append(o);
  }
  await load(false);
}
