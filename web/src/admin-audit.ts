/**
 * Administration → audit trail (`/admin/audit`): the records of `GET /api/admin/audit`, newest
 * first, filtered by person (as actor or subject), action and time; "older records" pages back.
 * With a person chosen, "export" downloads everything kept about them as JSON (the RODO access
 * request, `GET /api/admin/audit/people/{id}`, itself audited).
 */

import { AUDIT_ACTION_CODES, auditActionLabel, t, lang, onLanguageChange, setText } from './i18n';
import { $, fragment, tableHtml } from './ui';
import { FormProblems, fieldHtml, refusal, summaryHtml } from './forms';
import { listCities, listNetworks, type Person } from './api';
import { type Directory, actorText, detailLines, personText, subjectText, targetText } from './audit-text';
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

  const dir: Directory = { people: [], cities: [], networks: [] };
  let records: AuditRecord[] = [];
  let filter: AuditFilter = {};
  const cell = (text: string) => {
    const td = document.createElement('td');
    td.textContent = text;
    return td;
  };
  // The meaning first, the code after it (what the filter takes and what exports contain),
  // marked as code: it is the same in every language.
  const actionCell = (code: string) => {
    const td = cell(auditActionLabel(code));
    if (td.textContent === code) td.textContent = '';
    const codeEl = document.createElement('code');
    codeEl.textContent = code;
    td.append(...(td.textContent ? [' (', codeEl, ')'] : [codeEl]));
    return td;
  };
  const detailCell = (r: AuditRecord) => {
    const lines = detailLines(r, dir);
    if (lines.length === 0) return cell('—');
    const td = document.createElement('td');
    const ul = document.createElement('ul');
    ul.className = 'audit__detail';
    ul.append(
      ...lines.map((text) => {
        const li = document.createElement('li');
        li.textContent = text;
        return li;
      }),
    );
    td.append(ul);
    return td;
  };
  const row = (r: AuditRecord) => {
    const tr = document.createElement('tr');
    tr.dataset.action = r.action;
    const at = document.createElement('td');
    const time = document.createElement('time');
    time.dateTime = new Date(r.at).toISOString();
    time.textContent = new Date(r.at).toLocaleString(lang() === 'pl' ? 'pl-PL' : 'en-GB');
    at.append(time);
    tr.append(at, cell(actorText(r, dir)), actionCell(r.action), cell(targetText(r, dir)), cell(subjectText(r, dir)), detailCell(r));
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
    setText(count, 'auditCount', { n: records.length });
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
      setText(count, 'auditExported', { name: personText(dir, id) });
    } catch (e) {
      problems.show([refusal(e)]);
    }
  });

  try {
    [dir.people, dir.cities, dir.networks] = await Promise.all([listPeople(), listCities(), listNetworks()]);
  } catch {
    // Records then show the names the server sent, else numbers; the list reports the failure.
  }
  for (const p of dir.people) {
    const o = document.createElement('option');
    o.value = String(p.id);
    o.textContent = `${p.name} (${p.email})`;
    personSel.append(o);
  }
  await load(false);
}
