/**
 * The page for a path the app does not have (the server answers it with 404 and this bundle):
 * says so in words and leads home. The header carries the person's menu when signed in.
 */

import { t, setTitle } from './i18n';
import { fragment, header } from './ui';
import { accountMenu } from './account';
import type { Person } from './api';

export function mountNotFound(root: HTMLElement, person: Person | null): void {
  setTitle(() => `${t('notFoundTitle')} — Narada`);
  root.replaceChildren(
    person ? header(accountMenu(person)) : header(),
    fragment(`
      <main id="main" class="centered not-found" tabindex="-1">
        <h1 data-i18n="notFoundTitle"></h1>
        <p data-i18n="notFoundText"></p>
        <p><a href="/" data-i18n="notFoundHome"></a></p>
      </main>`),
  );
}
