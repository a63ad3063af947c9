/**
 * Opening a document without signing in, on a server that hands out developer tokens: name a
 * document (or pick a recent one) and say who you are, then go to `/d/{doc}`. The sign-in page
 * shows this section below its form when the server offers developer tokens. Validation follows
 * the GOV.UK-style pattern of `forms.ts`.
 */

import { t, onLanguageChange } from './i18n';
import { $, fragment } from './ui';
import { FormProblems, type Problem, fieldHtml, summaryHtml } from './forms';
import { displayName, recentDocuments, setDisplayName, toDocName } from './session';

/** `suggestedDoc`: what followed `/d/` when it was not a valid document name, to start from. */
export function landingSection(suggestedDoc = ''): HTMLElement {
  const section = document.createElement('section');
  section.className = 'dev-access';
  section.setAttribute('aria-labelledby', 'dev-access-heading');
  section.append(
    fragment(`
      <h2 id="dev-access-heading" data-i18n="landingTitle"></h2>
      <p data-i18n="devAccessIntro"></p>
      ${summaryHtml(3, 'error-summary')}
      <form class="landing__form" novalidate>
        ${fieldHtml(
          'doc-name',
          'docNameLabel',
          `<input id="doc-name" name="doc" type="text" autocomplete="off" spellcheck="false" maxlength="200"
                  aria-describedby="doc-name-hint" list="recent-docs" required>
           <datalist id="recent-docs"></datalist>`,
          '',
        )}
        ${fieldHtml(
          'display-name',
          'displayNameLabel',
          `<input id="display-name" name="name" type="text" autocomplete="name" maxlength="100"
                  aria-describedby="display-name-hint" required>`,
          'displayNameHint',
        )}
        <button class="button button--primary" type="submit" data-i18n="openDocument"></button>
      </form>
      <section class="recent" aria-labelledby="recent-heading" hidden>
        <h3 id="recent-heading" data-i18n="recentDocuments"></h3>
        <ul class="recent__list"></ul>
      </section>`),
  );

  const form = $<HTMLFormElement>(section, '.landing__form');
  const docInput = $<HTMLInputElement>(section, '#doc-name');
  const nameInput = $<HTMLInputElement>(section, '#display-name');
  const docHint = $(section, '#doc-name-hint');
  const problems = new FormProblems($(section, '.error-summary'), [docInput, nameInput]);
  nameInput.value = displayName();
  docInput.value = toDocName(suggestedDoc);

  const updateHint = () => {
    const slug = toDocName(docInput.value);
    docHint.textContent = t('docNameHint', { path: `/d/${slug || '…'}` });
  };
  docInput.addEventListener('input', updateHint);
  updateHint();
  onLanguageChange(updateHint);

  const recent = recentDocuments();
  if (recent.length > 0) {
    $(section, '.recent').hidden = false;
    const list = $(section, '.recent__list');
    const datalist = $(section, '#recent-docs');
    for (const doc of recent) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = `/d/${encodeURIComponent(doc)}`;
      a.textContent = doc;
      li.append(a);
      list.append(li);
      const opt = document.createElement('option');
      opt.value = doc;
      datalist.append(opt);
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const doc = toDocName(docInput.value);
    const name = nameInput.value.trim();
    const found: Problem[] = [];
    if (!doc) found.push({ field: docInput, text: () => t('docNameEmpty') });
    if (!name) found.push({ field: nameInput, text: () => t('displayNameEmpty') });
    problems.show(found);
    if (found.length > 0) return;
    setDisplayName(name);
    location.assign(`/d/${encodeURIComponent(doc)}`);
  });
  return section;
}
