/**
 * The documents page at `/` for someone signed in: the documents they may open
 * (`GET /api/docs`, which applies the permission rules and the filters), filtered by network,
 * city, kind and a title search, with each one's owner, kind and the person's access; and, for
 * people who may create documents, a form to start one.
 *
 * Filters are the API's query parameters and are mirrored in the address (`/?city=2&q=plan`), so
 * a filtered list can be reloaded or bookmarked. The result count is a polite live region.
 * Archived documents are shown on request (and deleted ones, to administrators); a document the
 * person may manage has a "manage" button (`doc-manage.ts`: rename, move, archive, share…).
 */

import { t, onLanguageChange, setText, setTitle, type Message, type MessageKey } from './i18n';
import { $, fragment, header } from './ui';
import { FormProblems, fieldHtml, refusal, summaryHtml } from './forms';
import { accountMenu } from './account';
import { manageable, openManageDialog } from './doc-manage';
import {
  ApiError,
  type City,
  createDoc,
  DOC_KINDS,
  type DocFilter,
  type DocKind,
  type DocView,
  listCities,
  listDocs,
  listNetworks,
  type Network,
  type Owner,
  type Person,
  type Visibility,
} from './api';

const VISIBILITIES: readonly Visibility[] = ['exclude', 'include', 'only'];

const SEARCH_DELAY_MS = 300;

function kindLabel(kind: DocKind): string {
  return t(`kind_${kind}` as MessageKey);
}

function kindOptions(): string {
  return DOC_KINDS.map((k) => `<option value="${k}" data-i18n="kind_${k}"></option>`).join('');
}

/** Options of the archived/deleted filter: the API's `exclude` is the empty (default) choice. */
function visibilityOptions(what: 'archived' | 'deleted'): string {
  return VISIBILITIES.map((v) => `<option value="${v === 'exclude' ? '' : v}" data-i18n="show_${what}_${v}"></option>`).join('');
}

function filterFromAddress(): DocFilter {
  const p = new URLSearchParams(location.search);
  const id = (k: string) => {
    const n = Number(p.get(k));
    return Number.isInteger(n) && n > 0 ? n : undefined;
  };
  const kind = p.get('kind');
  const shown = (k: string) => {
    const v = p.get(k);
    return VISIBILITIES.includes(v as Visibility) && v !== 'exclude' ? (v as Visibility) : undefined;
  };
  return {
    archived: shown('archived'),
    deleted: shown('deleted'),
    q: p.get('q') ?? undefined,
    network: id('network'),
    city: id('city'),
    kind: DOC_KINDS.includes(kind as DocKind) ? (kind as DocKind) : undefined,
  };
}

/** The owners a person may create documents for, by the rules of `policy::can_create`. */
function creatableOwners(person: Person, cities: City[], networks: Network[]): Owner[] {
  const admin = person.role === 'admin';
  if (!admin && person.role !== 'editor' && person.role !== 'moderator') return [];
  const assigned = new Set(person.networks);
  const inNetwork = new Set(person.networks);
  for (const c of cities) if (person.cities.includes(c.id)) c.networks.forEach((n) => inNetwork.add(n));
  const advises = (c: City) => person.role === 'moderator' && c.networks.some((n) => assigned.has(n));
  return [
    ...cities.filter((c) => admin || person.cities.includes(c.id) || advises(c)).map((c): Owner => ({ kind: 'city', id: c.id })),
    ...networks.filter((n) => admin || inNetwork.has(n.id)).map((n): Owner => ({ kind: 'network', id: n.id })),
  ];
}

export async function mountDocumentsPage(root: HTMLElement, person: Person): Promise<void> {
  setTitle(() => `${t('docsTitle')} — Narada`);
  root.replaceChildren(
    header(accountMenu(person)),
    fragment(`
      <main id="main" class="page" tabindex="-1">
        <h1 data-i18n="docsTitle"></h1>
        <form class="filters" role="search" data-i18n-attr="aria-label:filtersLabel" novalidate>
          <div class="field">
            <label for="filter-q" data-i18n="filterSearch"></label>
            <input id="filter-q" name="q" type="search" maxlength="200" autocomplete="off">
          </div>
          <div class="field">
            <label for="filter-network" data-i18n="filterNetwork"></label>
            <select id="filter-network" name="network"><option value="" data-i18n="filterAllNetworks"></option></select>
          </div>
          <div class="field">
            <label for="filter-city" data-i18n="filterCity"></label>
            <select id="filter-city" name="city"><option value="" data-i18n="filterAllCities"></option></select>
          </div>
          <div class="field">
            <label for="filter-kind" data-i18n="filterKind"></label>
            <select id="filter-kind" name="kind"><option value="" data-i18n="filterAllKinds"></option>${kindOptions()}</select>
          </div>
          <div class="field">
            <label for="filter-archived" data-i18n="filterArchived"></label>
            <select id="filter-archived" name="archived">${visibilityOptions('archived')}</select>
          </div>
          <div class="field filters__deleted" hidden>
            <label for="filter-deleted" data-i18n="filterDeleted"></label>
            <select id="filter-deleted" name="deleted">${visibilityOptions('deleted')}</select>
          </div>
        </form>
        <div class="notice notice--error docs__error" role="alert" hidden></div>
        <p class="docs__count" role="status" aria-live="polite" aria-atomic="true"></p>
        <div class="table-wrap">
          <table class="docs">
            <caption class="visually-hidden" data-i18n="docsTitle"></caption>
            <thead>
              <tr>
                <th scope="col" data-i18n="colTitle"></th>
                <th scope="col" data-i18n="colOwner"></th>
                <th scope="col" data-i18n="colKind"></th>
                <th scope="col" data-i18n="colRole"></th>
                <th scope="col" data-i18n="colActions"></th>
              </tr>
            </thead>
            <tbody></tbody>
          </table>
        </div>
        <p class="docs__empty" hidden></p>
        <section class="new-doc" aria-labelledby="new-doc-heading" hidden>
          <h2 id="new-doc-heading" data-i18n="newDocTitle"></h2>
          ${summaryHtml(3)}
          <form class="new-doc__form" novalidate>
            ${fieldHtml('new-title', 'newDocTitleLabel', '<input id="new-title" name="title" type="text" maxlength="200" required>')}
            ${fieldHtml('new-kind', 'filterKind', `<select id="new-kind" name="kind">${kindOptions()}</select>`)}
            ${fieldHtml('new-owner', 'newDocOwnerLabel', '<select id="new-owner" name="owner"></select>')}
            <button class="button button--primary" type="submit" data-i18n="newDocButton"></button>
          </form>
        </section>
      </main>`),
  );

  const search = $<HTMLInputElement>(root, '#filter-q');
  const networkSel = $<HTMLSelectElement>(root, '#filter-network');
  const citySel = $<HTMLSelectElement>(root, '#filter-city');
  const kindSel = $<HTMLSelectElement>(root, '#filter-kind');
  const archivedSel = $<HTMLSelectElement>(root, '#filter-archived');
  const deletedSel = $<HTMLSelectElement>(root, '#filter-deleted');
  $(root, '.filters__deleted').hidden = person.role !== 'admin';
  const errorBox = $(root, '.docs__error');
  const count = $(root, '.docs__count');
  const tbody = $(root, '.docs tbody');
  const empty = $(root, '.docs__empty');

  let filter = filterFromAddress();
  let docs: DocView[] | null = null;
  let cities: City[] = [];
  let networks: Network[] = [];
  let failure: ApiError | null = null;

  const ownerName = (owner: Owner): Message =>
    owner.kind === 'city'
      ? { key: 'ownerCity', vars: { name: cities.find((c) => c.id === owner.id)?.name ?? `#${owner.id}` } }
      : { key: 'ownerNetwork', vars: { name: networks.find((n) => n.id === owner.id)?.name ?? `#${owner.id}` } };
  const ownerLabel = (owner: Owner) => t(ownerName(owner).key, ownerName(owner).vars);

  const render = () => {
    errorBox.hidden = failure === null;
    errorBox.textContent = failure ? t(failure.code === 'network' ? 'serverUnreachable' : 'docsLoadFailed') : '';
    if (docs === null) return;
    count.textContent = t('docsCount', { n: docs.length });
    const filtered = Boolean(filter.q || filter.network || filter.city || filter.kind || filter.archived || filter.deleted);
    empty.hidden = docs.length > 0;
    empty.textContent = filtered ? t('docsNoneMatch') : t('docsNone');
    tbody.replaceChildren(
      ...docs.map((d) => {
        const tr = document.createElement('tr');
        tr.dataset.docId = d.id;
        const title = document.createElement('th');
        title.scope = 'row';
        if (d.deleted_at) {
          title.textContent = d.title;
        } else {
          const link = document.createElement('a');
          link.href = `/d/${encodeURIComponent(d.id)}`;
          link.textContent = d.title;
          title.append(link);
        }
        if (d.deleted_at || d.archived_at) {
          const state = document.createElement('span');
          state.className = 'docs__state';
          state.textContent = t(d.deleted_at ? 'docStateDeleted' : 'docStateArchived');
          title.append(' ', state);
        }
        const cells = [ownerLabel(d.owner), kindLabel(d.kind), d.role ? t(`role_${d.role}` as MessageKey) : '—', ''].map((text) => {
          const td = document.createElement('td');
          td.textContent = text;
          return td;
        });
        cells[2].className = 'docs__role';
        if (manageable(d)) {
          const manage = document.createElement('button');
          manage.type = 'button';
          manage.className = 'button button--secondary button--small';
          manage.textContent = t('docManage');
          manage.setAttribute('aria-label', t('docManageFor', { title: d.title }));
          manage.addEventListener('click', () =>
            openManageDialog(d, {
              person,
              owners: creatableOwners(person, cities, networks),
              ownerName,
              changed: () => void reload(),
            }),
          );
          cells[3].append(manage);
        }
        tr.append(title, ...cells);
        return tr;
      }),
    );
  };
  onLanguageChange(render);

  let generation = 0;
  const reload = async () => {
    const mine = ++generation;
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') params.set(k, String(v));
    const query = params.toString();
    history.replaceState(history.state, '', query ? `/?${query}` : '/');
    try {
      const list = await listDocs(filter);
      if (mine !== generation) return;
      docs = list;
      failure = null;
    } catch (e) {
      if (mine !== generation) return;
      if (e instanceof ApiError && e.status === 401) {
        location.assign('/login');
        return;
      }
      failure = e instanceof ApiError ? e : new ApiError(0, 'network', String(e));
    }
    render();
  };

  const readFilters = () => {
    const num = (s: HTMLSelectElement) => (s.value ? Number(s.value) : undefined);
    filter = {
      q: search.value.trim() || undefined,
      network: num(networkSel),
      city: num(citySel),
      kind: (kindSel.value || undefined) as DocKind | undefined,
      archived: (archivedSel.value || undefined) as Visibility | undefined,
      deleted: (deletedSel.value || undefined) as Visibility | undefined,
    };
    void reload();
  };
  let searchTimer: number | undefined;
  search.addEventListener('input', () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(readFilters, SEARCH_DELAY_MS);
  });
  $(root, '.filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    window.clearTimeout(searchTimer);
    readFilters();
  });
  for (const sel of [networkSel, citySel, kindSel, archivedSel, deletedSel]) sel.addEventListener('change', readFilters);

  search.value = filter.q ?? '';
  kindSel.value = filter.kind ?? '';
  archivedSel.value = filter.archived ?? '';
  deletedSel.value = filter.deleted ?? '';
  const listed = reload();
  try {
    [networks, cities] = await Promise.all([listNetworks(), listCities()]);
  } catch {
    // Owners then show as numbers; the list itself says if the server is unreachable.
  }
  const option = (value: string, text: string) => {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    return o;
  };
  networkSel.append(...networks.map((n) => option(String(n.id), n.name)));
  citySel.append(...cities.map((c) => option(String(c.id), c.name)));
  networkSel.value = filter.network ? String(filter.network) : '';
  citySel.value = filter.city ? String(filter.city) : '';
  await listed;
  render();
  mountNewDocument(root, person, cities, networks, ownerName);
}

function mountNewDocument(
  root: HTMLElement,
  person: Person,
  cities: City[],
  networks: Network[],
  ownerName: (o: Owner) => Message,
): void {
  const owners = creatableOwners(person, cities, networks);
  if (owners.length === 0) return;
  const section = $(root, '.new-doc');
  section.hidden = false;
  const title = $<HTMLInputElement>(section, '#new-title');
  const kind = $<HTMLSelectElement>(section, '#new-kind');
  const owner = $<HTMLSelectElement>(section, '#new-owner');
  owner.replaceChildren(
    ...owners.map((o) => {
      const opt = document.createElement('option');
      opt.value = `${o.kind}:${o.id}`;
      setText(opt, ownerName(o).key, ownerName(o).vars);
      return opt;
    }),
  );
  const problems = new FormProblems($(section, '.problem-summary'), [title, kind, owner]);
  let busy = false;
  $(section, 'form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    const text = title.value.trim();
    if (!text) {
      problems.show([{ field: title, text: () => t('newDocTitleEmpty') }]);
      return;
    }
    const [okind, oid] = owner.value.split(':');
    busy = true;
    try {
      const doc = await createDoc(text, kind.value as DocKind, { kind: okind as Owner['kind'], id: Number(oid) });
      location.assign(`/d/${encodeURIComponent(doc.id)}`);
    } catch (e) {
      const forbidden = e instanceof ApiError && e.code === 'forbidden';
      problems.show([refusal(e, forbidden ? owner : undefined, { forbidden: 'newDocForbidden' })]);
    } finally {
      busy = false;
    }
  });
}
