/**
 * The landing page at `/`: name a document (or pick a recent one) and say who you are, then go
 * to `/d/{doc}`. Validation follows the GOV.UK-style pattern: errors are listed in a summary
 * that takes focus, and each field is linked to its message with aria-describedby.
 */

import { t, onLanguageChange } from './i18n';
import { $, fragment, header } from './ui';
import { displayName, recentDocuments, setDisplayName, toDocName } from './session';

/** `suggestedDoc`: what followed `/d/` when it was not a valid document name, to start from. */
export function mountLanding(root: HTMLElement, suggestedDoc = ''): void {
  document.title = `${t('landingTitle')} — Narada`;
  const main = fragment(`
    <main id="main" class="landing" tabindex="-1">
      <h1 data-i18n="landingTitle"></h1>
      <p class="landing__tagline" data-i18n="appTagline"></p>
      <p data-i18n="landingIntro"></p>
      <div class="error-summary" role="alert" tabindex="-1" hidden>
        <h2 data-i18n="formErrors"></h2>
        <ul></ul>
      </div>
      <form class="landing__form" novalidate>
        <div class="field">
          <label for="doc-name" data-i18n="docNameLabel"></label>
          <p class="field__hint" id="doc-name-hint"></p>
          <p class="field__error" id="doc-name-error" hidden></p>
          <input id="doc-name" name="doc" type="text" autocomplete="off" spellcheck="false" maxlength="200"
                 aria-describedby="doc-name-hint" list="recent-docs" required>
          <datalist id="recent-docs"></datalist>
        </div>
        <div class="field">
          <label for="display-name" data-i18n="displayNameLabel"></label>
          <p class="field__hint" id="display-name-hint" data-i18n="displayNameHint"></p>
          <p class="field__error" id="display-name-error" hidden></p>
          <input id="display-name" name="name" type="text" autocomplete="name" maxlength="100"
                 aria-describedby="display-name-hint" required>
        </div>
        <button class="button button--primary" type="submit" data-i18n="openDocument"></button>
      </form>
      <section class="recent" aria-labelledby="recent-heading" hidden>
        <h2 id="recent-heading" data-i18n="recentDocuments"></h2>
        <ul class="recent__list"></ul>
      </section>
    </main>`);
  root.replaceChildren(header(), main);

  const form = $<HTMLFormElement>(root, '.landing__form');
  const docInput = $<HTMLInputElement>(root, '#doc-name');
  const nameInput = $<HTMLInputElement>(root, '#display-name');
  const docHint = $(root, '#doc-name-hint');
  const summary = $(root, '.error-summary');
  nameInput.value = displayName();
  docInput.value = toDocName(suggestedDoc);

  const updateHint = () => {
    const slug = toDocName(docInput.value);
    docHint.textContent = t('docNameHint', { path: `/d/${slug || '…'}` });
  };
  docInput.addEventListener('input', updateHint);
  updateHint();

  const recent = recentDocuments();
  if (recent.length > 0) {
    $(root, '.recent').hidden = false;
    const list = $(root, '.recent__list');
    const datalist = $(root, '#recent-docs');
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

  const setError = (input: HTMLInputElement, hintId: string, message: string | null) => {
    const err = $(root, `#${input.id}-error`);
    err.hidden = message === null;
    err.textContent = message ?? '';
    input.setAttribute('aria-invalid', String(message !== null));
    input.setAttribute('aria-describedby', message === null ? hintId : `${hintId} ${err.id}`);
  };

  let lastErrors: Array<{ input: HTMLInputElement; key: 'docNameEmpty' | 'displayNameEmpty' }> = [];
  const showErrors = () => {
    setError(docInput, 'doc-name-hint', null);
    setError(nameInput, 'display-name-hint', null);
    for (const e of lastErrors) setError(e.input, `${e.input.id}-hint`, t(e.key));
    summary.hidden = lastErrors.length === 0;
    $(summary, 'ul').replaceChildren(
      ...lastErrors.map((e) => {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = `#${e.input.id}`;
        a.textContent = t(e.key);
        a.addEventListener('click', (ev) => {
          ev.preventDefault();
          e.input.focus();
        });
        li.append(a);
        return li;
      }),
    );
  };
  onLanguageChange(() => {
    document.title = `${t('landingTitle')} — Narada`;
    updateHint();
    showErrors();
  });

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const doc = toDocName(docInput.value);
    const name = nameInput.value.trim();
    lastErrors = [];
    if (!doc) lastErrors.push({ input: docInput, key: 'docNameEmpty' });
    if (!name) lastErrors.push({ input: nameInput, key: 'displayNameEmpty' });
    showErrors();
    if (lastErrors.length > 0) {
      summary.focus();
      return;
    }
    setDisplayName(name);
    location.assign(`/d/${encodeURIComponent(doc)}`);
  });
}
