/**
 * The administration pages (`/admin`, `/admin/people`, `/admin/cities`, `/admin/audit`) for
 * administrators (ministry staff): the frame with its section navigation, and for anyone else a
 * page that says, in words, that this part is for administrators. The API refuses them anyway.
 */

import { t, setTitle, type MessageKey } from './i18n';
import { $, fragment, header } from './ui';
import { accountMenu } from './account';
import type { Person } from './api';
import { mountPeople } from './admin-people';
import { mountPlaces } from './admin-places';
import { mountAudit } from './admin-audit';
import { PAGES } from './routes';

const SECTIONS: { path: string; label: MessageKey; mount: (main: HTMLElement, me: Person) => Promise<void> }[] = [
  { path: PAGES.adminPeople, label: 'adminPeople', mount: mountPeople },
  { path: PAGES.adminCities, label: 'adminPlaces', mount: mountPlaces },
  { path: PAGES.adminAudit, label: 'adminAudit', mount: mountAudit },
];

export async function mountAdminPage(root: HTMLElement, person: Person, path: string): Promise<void> {
  const section = SECTIONS.find((s) => s.path === path) ?? SECTIONS[0];
  setTitle(() => `${t(section.label)} — ${t('adminTitle')} — Narada`);
  if (person.role !== 'admin') {
    root.replaceChildren(
      header(accountMenu(person)),
      fragment(`
        <main id="main" class="centered" tabindex="-1">
          <h1 data-i18n="adminTitle"></h1>
          <div class="notice notice--error" role="alert"><p data-i18n="adminNoAccess"></p></div>
          <p><a href="/" data-i18n="backToList"></a></p>
        </main>`),
    );
    return;
  }
  root.replaceChildren(
    header(accountMenu(person)),
    fragment(`
      <main id="main" class="page page--wide" tabindex="-1">
        <h1 data-i18n="adminTitle"></h1>
        <nav class="admin-nav" data-i18n-attr="aria-label:adminNav">
          <ul>
            ${SECTIONS.map((s) => `<li><a href="${s.path}" data-i18n="${s.label}"></a></li>`).join('')}
            <li><a href="/" data-i18n="docsTitle"></a></li>
          </ul>
        </nav>
        <div class="admin-section"></div>
      </main>`),
  );
  const current = $<HTMLAnchorElement>(root, `.admin-nav a[href="${section.path}"]`);
  current.setAttribute('aria-current', 'page');
  await section.mount($(root, '.admin-section'), person);
}
