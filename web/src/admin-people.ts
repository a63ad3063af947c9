/**
 * Administration → people (`/admin/people`): everyone with their role, cities, networks and
 * whether their account is active, invited (no password yet) or disabled; adding a person, which
 * shows the one-time invitation link to pass on (there is no mail server); and per person a
 * dialog to change the name, role, memberships and disabled state and to make a new invitation
 * or a password-reset link.
 */

import { t, onLanguageChange, setText, type Message, type MessageKey } from './i18n';
import { $, fragment, tableHtml } from './ui';
import { FormProblems, checkboxGroup, checkedIds, fieldHtml, refusal, refusalKey, summaryHtml } from './forms';
import { copyText, openDialog } from './dialog';
import { type AccountRole, type City, listCities, listNetworks, type Network, type Person } from './api';
import { ACCOUNT_ROLES, createPerson, type Link, listPeople, personLink, setMembership, updatePerson } from './manage-api';

const roleOptions = () => ACCOUNT_ROLES.map((r) => `<option value="${r}" data-i18n="accountRole_${r}"></option>`).join('');

function statusKey(p: Person): MessageKey {
  if (p.disabled) return 'personDisabled';
  return p.active ? 'personActive' : 'personInvited';
}

let linkCounter = 0;

/** A one-time link to pass on: a read-only field (labelled `label`) with a copy button. */
export function linkBox(label: Message, link: Link): HTMLElement {
  const id = `link-${++linkCounter}`;
  const box = fragment(`
    <div class="link-box">
      ${fieldHtml(id, 'linkLabel', `<input id="${id}" type="text" readonly>`, 'linkHint')}
      <button class="button button--secondary" type="button" data-i18n="copyLink"></button>
      <p class="link-box__status" role="status"></p>
    </div>`).firstElementChild as HTMLElement;
  setText($(box, 'label'), label.key, label.vars);
  const input = $<HTMLInputElement>(box, 'input');
  input.value = link.link;
  $(box, 'button').addEventListener('click', () => void copyText(link.link, $(box, '.link-box__status')));
  return box;
}

export async function mountPeople(main: HTMLElement, me: Person): Promise<void> {
  main.append(
    fragment(`
      <h2 data-i18n="adminPeople"></h2>
      <div class="notice notice--error admin__error" role="alert" hidden></div>
      ${tableHtml('docs people', 'adminPeople', ['colPersonName', 'emailLabel', 'colAccountRole', 'colCities', 'colNetworks', 'colStatus', 'colNumber', 'colActions'])}
      <section class="admin-form" aria-labelledby="new-person-heading">
        <h2 id="new-person-heading" data-i18n="personAdd"></h2>
        ${summaryHtml(3)}
        <form class="stack-form" novalidate>
          ${fieldHtml('person-name', 'colPersonName', '<input id="person-name" type="text" maxlength="120" autocomplete="off" required>')}
          ${fieldHtml('person-email', 'emailLabel', '<input id="person-email" type="email" maxlength="254" autocomplete="off" required>')}
          ${fieldHtml('person-role', 'colAccountRole', `<select id="person-role">${roleOptions()}</select>`)}
          <div class="person-places"></div>
          <button class="button button--primary" type="submit" data-i18n="personAddButton"></button>
        </form>
        <div class="new-person__link"></div>
      </section>`),
  );
  const errorBox = $(main, '.admin__error');
  const tbody = $(main, 'tbody');
  let people: Person[] = [];
  let cities: City[] = [];
  let networks: Network[] = [];
  const names = (ids: number[], from: { id: number; name: string }[]) =>
    ids.map((id) => from.find((x) => x.id === id)?.name ?? `#${id}`).join(', ') || '—';

  const render = () => {
    tbody.replaceChildren(
      ...people.map((p) => {
        const tr = document.createElement('tr');
        tr.dataset.personId = String(p.id);
        const th = document.createElement('th');
        th.scope = 'row';
        th.textContent = p.name;
        const cells = [p.email, t(`accountRole_${p.role}` as MessageKey), names(p.cities, cities), names(p.networks, networks), t(statusKey(p)), String(p.id), ''].map((text) => {
          const td = document.createElement('td');
          td.textContent = text;
          return td;
        });
        const edit = document.createElement('button');
        edit.type = 'button';
        edit.className = 'button button--secondary button--small';
        edit.textContent = t('edit');
        edit.setAttribute('aria-label', t('editFor', { name: p.name }));
        edit.addEventListener('click', () => openPersonDialog(p, me, cities, networks, reload));
        cells[6].append(edit);
        tr.append(th, ...cells);
        return tr;
      }),
    );
  };
  onLanguageChange(render);
  const reload = async () => {
    try {
      [people, cities, networks] = await Promise.all([listPeople(), listCities(), listNetworks()]);
      errorBox.hidden = true;
    } catch (e) {
      errorBox.hidden = false;
      setText(errorBox, refusalKey(e));
    }
    render();
  };
  await reload();

  const places = $(main, '.person-places');
  places.append(checkboxGroup('new-city', 'colCities', cities, []), checkboxGroup('new-network', 'colNetworks', networks, []));
  const name = $<HTMLInputElement>(main, '#person-name');
  const email = $<HTMLInputElement>(main, '#person-email');
  const role = $<HTMLSelectElement>(main, '#person-role');
  role.value = 'editor';
  const problems = new FormProblems($(main, '.admin-form .problem-summary'), [name, email, role]);
  const linkSlot = $(main, '.new-person__link');
  $(main, '.admin-form form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const missing = [
      ...(name.value.trim() ? [] : [{ field: name, text: () => t('personNameEmpty') }]),
      ...(email.value.includes('@') ? [] : [{ field: email, text: () => t('personEmailInvalid') }]),
    ];
    if (missing.length > 0) return problems.show(missing);
    try {
      const made = await createPerson({
        name: name.value.trim(),
        email: email.value.trim(),
        role: role.value as AccountRole,
        cities: checkedIds(places, 'new-city'),
        networks: checkedIds(places, 'new-network'),
      });
      problems.show([]);
      linkSlot.replaceChildren(linkBox({ key: 'inviteLinkFor', vars: { name: made.person.name } }, made.invite));
      $<HTMLInputElement>(linkSlot, 'input').focus();
      name.value = '';
      email.value = '';
      for (const box of places.querySelectorAll<HTMLInputElement>('input')) box.checked = false;
      await reload();
    } catch (e) {
      problems.show([refusal(e, email, { conflict: 'personEmailTaken' })]);
    }
  });
}

function openPersonDialog(p: Person, me: Person, cities: City[], networks: Network[], changed: () => Promise<void>): void {
  const dialog = openDialog(() => t('personEditTitle', { name: p.name }));
  const body = dialog.body;
  body.append(
    fragment(`
      ${summaryHtml(3)}
      <p class="person__status" role="status"></p>
      <form class="stack-form" novalidate>
        ${fieldHtml('edit-name', 'colPersonName', '<input id="edit-name" type="text" maxlength="120" autocomplete="off">')}
        ${fieldHtml('edit-role', 'colAccountRole', `<select id="edit-role">${roleOptions()}</select>`)}
        <div class="person-places"></div>
        <label class="check"><input id="edit-disabled" type="checkbox"> <span data-i18n="personDisabledLabel"></span></label>
        <button class="button button--primary" type="submit" data-i18n="save"></button>
      </form>
      <h3 data-i18n="personLinks"></h3>
      <div class="person__link-buttons">
        <button class="button button--secondary" type="button" data-link="invite" data-i18n="personInviteLink"></button>
        <button class="button button--secondary" type="button" data-link="reset-link" data-i18n="personResetLink"></button>
      </div>
      <div class="person__link"></div>`),
  );
  const name = $<HTMLInputElement>(body, '#edit-name');
  const role = $<HTMLSelectElement>(body, '#edit-role');
  const disabled = $<HTMLInputElement>(body, '#edit-disabled');
  const status = $(body, '.person__status');
  const places = $(body, '.person-places');
  const problems = new FormProblems($(body, '.problem-summary'), [name, role]);
  let person = p;
  const fill = () => {
    name.value = person.name;
    role.value = person.role;
    disabled.checked = Boolean(person.disabled);
    places.replaceChildren(checkboxGroup('edit-city', 'colCities', cities, person.cities), checkboxGroup('edit-network', 'colNetworks', networks, person.networks));
    $(body, '[data-link="invite"]').hidden = Boolean(person.active);
  };
  fill();

  $(body, 'form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!name.value.trim()) return problems.show([{ field: name, text: () => t('personNameEmpty') }]);
    try {
      const patch: { name?: string; role?: AccountRole; disabled?: boolean } = {};
      if (name.value.trim() !== person.name) patch.name = name.value.trim();
      if (role.value !== person.role) patch.role = role.value as AccountRole;
      if (disabled.checked !== Boolean(person.disabled)) patch.disabled = disabled.checked;
      if (Object.keys(patch).length > 0) person = await updatePerson(person.id, patch);
      for (const [what, box] of [['cities', 'edit-city'], ['networks', 'edit-network']] as const) {
        const want = checkedIds(places, box);
        const have = person[what];
        for (const id of want.filter((x) => !have.includes(x))) person = await setMembership(person.id, what, id, true);
        for (const id of have.filter((x) => !want.includes(x))) person = await setMembership(person.id, what, id, false);
      }
      problems.show([]);
      setText(status, 'personSaved', { name: person.name });
    } catch (e) {
      problems.show([refusal(e, person.id === me.id ? role : undefined)]);
    }
    fill();
    await changed();
  });

  for (const button of body.querySelectorAll<HTMLButtonElement>('[data-link]')) {
    button.addEventListener('click', async () => {
      const kind = button.dataset.link as 'invite' | 'reset-link';
      try {
        const link = await personLink(person.id, kind);
        const label: Message = { key: kind === 'invite' ? 'inviteLinkFor' : 'resetLinkFor', vars: { name: person.name } };
        $(body, '.person__link').replaceChildren(linkBox(label, link));
        $<HTMLInputElement>(body, '.person__link input').focus();
        problems.show([]);
      } catch (e) {
        problems.show([refusal(e, undefined, { conflict: 'personLinkDisabled' })]);
      }
    });
  }
}
