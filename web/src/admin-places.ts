/**
 * Administration → cities and networks (`/admin/cities`): the networks and the cities with the
 * networks each belongs to; creating either; and a dialog per entry to rename it (and, for a
 * city, to attach it to networks or detach it). A city's networks decide who reaches its
 * documents, so the server closes the sockets of anyone who loses access by a change here.
 */

import { t, onLanguageChange, setText } from './i18n';
import { $, fragment, tableHtml } from './ui';
import { FormProblems, checkboxGroup, checkedIds, fieldHtml, refusal, refusalKey, summaryHtml } from './forms';
import { openDialog } from './dialog';
import { type City, listCities, listNetworks, type Network, type Person } from './api';
import { createCity, createNetwork, renameCity, renameNetwork, setCityNetwork } from './manage-api';

type Kind = 'city' | 'network';

export async function mountPlaces(main: HTMLElement, _me: Person): Promise<void> {
  main.append(
    fragment(`
      <div class="notice notice--error admin__error" role="alert" hidden></div>
      ${(['network', 'city'] as Kind[])
        .map(
          (k) => `
        <section class="places places--${k}" aria-labelledby="${k}-heading">
          <h2 id="${k}-heading" data-i18n="${k === 'city' ? 'colCities' : 'colNetworks'}"></h2>
          ${tableHtml('docs', k === 'city' ? 'colCities' : 'colNetworks', k === 'city' ? ['colName', 'colNetworks', 'colActions'] : ['colName', 'colActions'])}
          <h3 data-i18n="${k === 'city' ? 'cityAdd' : 'networkAdd'}"></h3>
          ${summaryHtml(3)}
          <form class="stack-form" novalidate>
            ${fieldHtml(`new-${k}-name`, 'colName', `<input id="new-${k}-name" type="text" maxlength="120" autocomplete="off" required>`)}
            <div class="places__networks"></div>
            <button class="button button--primary" type="submit" data-i18n="${k === 'city' ? 'cityAddButton' : 'networkAddButton'}"></button>
          </form>
          <p class="places__status" role="status"></p>
        </section>`,
        )
        .join('')}`),
  );
  const errorBox = $(main, '.admin__error');
  let cities: City[] = [];
  let networks: Network[] = [];
  const section = (k: Kind) => $(main, `.places--${k}`);

  const row = (k: Kind, item: City | Network) => {
    const tr = document.createElement('tr');
    tr.dataset[`${k}Id`] = String(item.id);
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = item.name;
    tr.append(th);
    if ('networks' in item) {
      const td = document.createElement('td');
      td.textContent = item.networks.map((id) => networks.find((n) => n.id === id)?.name ?? `#${id}`).join(', ') || '—';
      tr.append(td);
    }
    const td = document.createElement('td');
    const edit = document.createElement('button');
    edit.type = 'button';
    edit.className = 'button button--secondary button--small';
    edit.textContent = t('edit');
    edit.setAttribute('aria-label', t('editFor', { name: item.name }));
    edit.addEventListener('click', () => openPlaceDialog(k, item, networks, reload));
    td.append(edit);
    tr.append(td);
    return tr;
  };
  const render = () => {
    $(section('network'), 'tbody').replaceChildren(...networks.map((n) => row('network', n)));
    $(section('city'), 'tbody').replaceChildren(...cities.map((c) => row('city', c)));
  };
  onLanguageChange(render);
  const reload = async () => {
    try {
      [cities, networks] = await Promise.all([listCities(), listNetworks()]);
      errorBox.hidden = true;
    } catch (e) {
      errorBox.hidden = false;
      setText(errorBox, refusalKey(e));
    }
    render();
    const slot = $(section('city'), '.places__networks');
    const ticked = checkedIds(slot, 'new-city-network');
    slot.replaceChildren(checkboxGroup('new-city-network', 'colNetworks', networks, ticked));
  };
  await reload();

  for (const k of ['network', 'city'] as Kind[]) {
    const sec = section(k);
    const name = $<HTMLInputElement>(sec, `#new-${k}-name`);
    const problems = new FormProblems($(sec, '.problem-summary'), [name]);
    $(sec, 'form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const text = name.value.trim();
      if (!text) return problems.show([{ field: name, text: () => t('placeNameEmpty') }]);
      try {
        if (k === 'city') await createCity(text, checkedIds(sec, 'new-city-network'));
        else await createNetwork(text);
        problems.show([]);
        name.value = '';
        setText($(sec, '.places__status'), 'placeCreated', { name: text });
        await reload();
      } catch (e) {
        problems.show([refusal(e, name, { conflict: k === 'city' ? 'cityNameTaken' : 'networkNameTaken' })]);
      }
    });
  }
}

function openPlaceDialog(kind: Kind, item: City | Network, networks: Network[], changed: () => Promise<void>): void {
  let current = item;
  const dialog = openDialog(() => t('placeEditTitle', { name: current.name }));
  const body = dialog.body;
  body.append(
    fragment(`
      ${summaryHtml(3)}
      <p class="place__status" role="status"></p>
      <form class="stack-form" novalidate>
        ${fieldHtml('place-name', 'colName', '<input id="place-name" type="text" maxlength="120" autocomplete="off">')}
        <div class="place__networks"></div>
        <button class="button button--primary" type="submit" data-i18n="save"></button>
      </form>`),
  );
  const name = $<HTMLInputElement>(body, '#place-name');
  const slot = $(body, '.place__networks');
  const problems = new FormProblems($(body, '.problem-summary'), [name]);
  const fill = () => {
    name.value = current.name;
    if ('networks' in current) slot.replaceChildren(checkboxGroup('place-network', 'colNetworks', networks, current.networks));
  };
  fill();
  $(body, 'form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = name.value.trim();
    if (!text) return problems.show([{ field: name, text: () => t('placeNameEmpty') }]);
    try {
      if (text !== current.name) current = kind === 'city' ? await renameCity(current.id, text) : await renameNetwork(current.id, text);
      if ('networks' in current) {
        const want = checkedIds(slot, 'place-network');
        const have = current.networks;
        let city: City = current;
        for (const n of want.filter((x) => !have.includes(x))) city = await setCityNetwork(city.id, n, true);
        for (const n of have.filter((x) => !want.includes(x))) city = await setCityNetwork(city.id, n, false);
        current = city;
      }
      problems.show([]);
      setText($(body, '.place__status'), 'placeSaved', { name: current.name });
    } catch (e) {
      problems.show([refusal(e, name, { conflict: kind === 'city' ? 'cityNameTaken' : 'networkNameTaken' })]);
    }
    fill();
    await changed();
  });
}
