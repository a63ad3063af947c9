/**
 * The share dialog of one document: who it is shared with (a person or a whole city by name, a
 * person with their email, each with a role), a form to share it with one more (or change a
 * role), and removing a share. The server decides who may (`share` in the document's `can`) and
 * refusals are told in words.
 *
 * Administrators pick people by name (`GET /api/admin/people`); everyone else types the person's
 * email address, as in other editors: the API has no people directory for non-administrators,
 * and answers an address without an active account with a 404 (said so next to the field).
 */

import { t, onLanguageChange, setText, type Message, type MessageKey } from './i18n';
import { $, fragment } from './ui';
import { FormProblems, fieldHtml, refusal, summaryHtml } from './forms';
import { openDialog } from './dialog';
import { ApiError, listCities, type Person } from './api';
import { type Grantee, listPeople, listShares, putShare, removeShare, type Share, type ShareTarget, SHARE_ROLES } from './manage-api';

/** Roughly the server's own check: one `@`, a dot in the domain, no spaces. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.][^\s@]*\.[^\s@]*[^\s@.]$/;

function option(value: string, text: string): HTMLOptionElement {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  return o;
}

export async function openShareDialog(docId: string, title: string, me: Person): Promise<void> {
  const dialog = openDialog(() => t('shareTitle', { title }));
  dialog.element.classList.add('share');
  const admin = me.role === 'admin';
  const personControl = admin
    ? '<select id="share-person"></select>'
    : '<input id="share-person" type="email" autocomplete="off" spellcheck="false" maxlength="254">';
  dialog.body.append(
    fragment(`
      ${summaryHtml(3)}
      <p class="share__status" role="status"></p>
      <h3 data-i18n="sharesCurrent"></h3>
      <ul class="share__list"></ul>
      <p class="share__empty" data-i18n="sharesNone" hidden></p>
      <h3 data-i18n="shareAdd"></h3>
      <form class="stack-form" novalidate>
        <fieldset class="checks checks--inline">
          <legend data-i18n="shareWith"></legend>
          <label><input type="radio" name="grantee-kind" value="person" checked> <span data-i18n="shareWithPerson"></span></label>
          <label><input type="radio" name="grantee-kind" value="city"> <span data-i18n="shareWithCity"></span></label>
        </fieldset>
        <div class="share__person">${fieldHtml('share-person', admin ? 'sharePerson' : 'sharePersonEmail', personControl, admin ? undefined : 'sharePersonEmailHint')}</div>
        <div class="share__city" hidden>${fieldHtml('share-city', 'shareWithCity', '<select id="share-city"></select>')}</div>
        ${fieldHtml('share-role', 'shareRole', `<select id="share-role">${SHARE_ROLES.map((r) => `<option value="${r}" data-i18n="role_${r}"></option>`).join('')}</select>`)}
        <button class="button button--primary" type="submit" data-i18n="shareButton"></button>
      </form>`),
  );
  const body = dialog.body;
  const status = $(body, '.share__status');
  const list = $(body, '.share__list');
  const person = $<HTMLInputElement | HTMLSelectElement>(body, '#share-person');
  const city = $<HTMLSelectElement>(body, '#share-city');
  const role = $<HTMLSelectElement>(body, '#share-role');
  role.value = 'commenter';
  const problems = new FormProblems($(body, '.problem-summary'), [person, city, role]);

  // The server names every grantee (and gives persons' emails to those who may share).
  // As a message (a city's name is "City of X" in the current language) for status texts.
  const nameOf = (s: Share): Message | string => {
    if (s.grantee.kind === 'city') return { key: 'ownerCity', vars: { name: s.name } };
    return s.email ? { key: 'shareNameEmail', vars: { name: s.name, email: s.email } } : s.name;
  };
  const name = (s: Share): string => {
    const m = nameOf(s);
    return typeof m === 'string' ? m : t(m.key, m.vars);
  };

  let shown: Share[] = [];
  const render = (shares: Share[]) => {
    shown = shares;
    $(body, '.share__empty').hidden = shares.length > 0;
    list.replaceChildren(
      ...shares.map((s) => {
        const li = document.createElement('li');
        const who = name(s);
        const text = document.createElement('span');
        text.textContent = `${who} — ${t(`role_${s.role}` as MessageKey)}`;
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'button button--secondary button--small';
        remove.textContent = t('shareRemove');
        remove.setAttribute('aria-label', t('shareRemoveFor', { name: who }));
        remove.addEventListener('click', async () => {
          try {
            render(await removeShare(docId, s.grantee));
            setText(status, 'shareRemoved', { name: nameOf(s) });
            $<HTMLButtonElement>(body, 'button[type="submit"]').focus();
          } catch (e) {
            problems.show([refusal(e)]);
          }
        });
        li.append(text, remove);
        return li;
      }),
    );
  };

  // The list's roles and buttons are written in the page's language; switch them with it.
  const off = onLanguageChange(() => render(shown));
  dialog.element.addEventListener('close', off);

  const kind = () => $<HTMLInputElement>(body, 'input[name="grantee-kind"]:checked').value as Grantee['kind'];
  for (const radio of body.querySelectorAll<HTMLInputElement>('input[name="grantee-kind"]')) {
    radio.addEventListener('change', () => {
      $(body, '.share__person').hidden = kind() !== 'person';
      $(body, '.share__city').hidden = kind() !== 'city';
    });
  }

  $(body, 'form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let target: ShareTarget;
    if (kind() === 'city') {
      target = { kind: 'city', id: Number(city.value) };
    } else if (admin) {
      target = { kind: 'person', id: Number(person.value) };
    } else {
      const email = person.value.trim();
      if (!EMAIL_SHAPE.test(email)) {
        problems.show([{ field: person, text: () => t('sharePersonEmailInvalid') }]);
        return;
      }
      target = { kind: 'person', email };
    }
    // The share the server made, found in its answer (by email the id is the server's to know).
    const made = (s: Share): boolean =>
      'email' in target
        ? s.grantee.kind === 'person' && s.email === target.email.toLowerCase()
        : s.grantee.kind === target.kind && s.grantee.id === target.id;
    try {
      const shares = await putShare(docId, target, role.value as Share['role']);
      render(shares);
      problems.show([]);
      const added = shares.find(made);
      const who = added ? nameOf(added) : 'email' in target ? target.email : '';
      setText(status, 'shareAdded', { name: who, role: { key: `role_${role.value}` as MessageKey } });
      if (!admin && kind() === 'person') person.value = '';
    } catch (e) {
      const noAccount = 'email' in target && e instanceof ApiError && e.status === 404;
      problems.show([noAccount ? { field: person, text: () => t('sharePersonNotFound') } : refusal(e, e instanceof ApiError && e.code === 'role_too_high' ? role : target.kind === 'city' ? city : person)]);
    }
  });

  try {
    const [shares, cities, people] = await Promise.all([listShares(docId), listCities(), admin ? listPeople() : Promise.resolve([])]);
    city.append(...cities.map((c) => option(String(c.id), c.name)));
    if (person instanceof HTMLSelectElement) {
      person.append(...people.filter((p) => !p.disabled).map((p) => option(String(p.id), t('shareNameEmail', { name: p.name, email: p.email }))));
    }
    render(shares);
  } catch (e) {
    problems.show([refusal(e)]);
  }
}
