/**
 * The signed-in person's menu in the header: a disclosure button with their name that opens a
 * small panel with their email and account number (which others need to share a document with
 * them), a link to the administration pages for administrators, "sign out" and "sign out
 * everywhere" (which ends every session of theirs and closes their open documents elsewhere).
 * Signing out deletes the copies of documents this person kept on this device.
 * Escape or a click outside closes it.
 */

import { t, onLanguageChange, setText } from './i18n';
import { $, fragment } from './ui';
import { ApiError, type Person, signOut } from './api';
import { clearLocalCopies } from './editor/local-copy';

export function accountMenu(person: Person): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'account';
  wrap.append(
    fragment(`
      <button class="account__toggle" type="button" aria-expanded="false" aria-controls="account-panel">
        <span class="account__name"></span><span class="account__caret" aria-hidden="true">▾</span>
      </button>
      <div class="account__panel" id="account-panel" hidden>
        <p class="account__email"></p>
        <p class="account__number"></p>
        <ul class="account__actions">
          <li class="account__admin" hidden><a class="button button--secondary" href="/admin" data-i18n="adminLink"></a></li>
          <li><button class="button button--secondary" type="button" data-action="logout" data-i18n="signOut"></button></li>
          <li><button class="button button--secondary" type="button" data-action="logout-all" data-i18n="signOutEverywhere"></button></li>
        </ul>
        <p class="account__error" role="alert"></p>
      </div>`),
  );
  const toggle = $<HTMLButtonElement>(wrap, '.account__toggle');
  const panel = $(wrap, '.account__panel');
  const error = $(wrap, '.account__error');
  $(wrap, '.account__name').textContent = person.name;
  $(wrap, '.account__email').textContent = person.email;
  const number = $(wrap, '.account__number');
  const renumber = () => (number.textContent = t('accountNumber', { id: person.id }));
  renumber();
  onLanguageChange(renumber);
  $(wrap, '.account__admin').hidden = person.role !== 'admin';

  const setOpen = (open: boolean) => {
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
  };
  toggle.addEventListener('click', () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  wrap.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !panel.hidden) {
      setOpen(false);
      toggle.focus();
    }
  });
  document.addEventListener('click', (ev) => {
    if (!wrap.contains(ev.target as Node)) setOpen(false);
  });

  for (const button of wrap.querySelectorAll<HTMLButtonElement>('[data-action]')) {
    button.addEventListener('click', async () => {
      setText(error, null);
      try {
        await signOut(button.dataset.action === 'logout-all');
      } catch (e) {
        // Unreachable: the session may still be alive, so say so and stay. Any other refusal
        // (e.g. the session had already ended) leaves nobody signed in here.
        if (e instanceof ApiError && e.code === 'network') {
          setText(error, 'serverUnreachable');
          return;
        }
      }
      // Nothing of theirs stays on a shared computer: the documents' copies on this device go too.
      await clearLocalCopies(`p${person.id}`);
      location.assign('/login');
    });
  }
  return wrap;
}
