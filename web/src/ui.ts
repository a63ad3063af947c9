/**
 * Small DOM helpers shared by the landing page and the editor page: the header chrome and the
 * PL/EN switch. Nothing here knows about documents or sync.
 */

import { LANGS, type Lang, type MessageKey, lang, setLang, applyTranslations, onLanguageChange } from './i18n';

/** Parses trusted markup (only literal templates from this codebase, never user data). */
export function fragment(html: string): DocumentFragment {
  const tpl = document.createElement('template');
  tpl.innerHTML = html.trim();
  applyTranslations(tpl.content);
  return tpl.content;
}

export function $<T extends HTMLElement = HTMLElement>(root: ParentNode, selector: string): T {
  const el = root.querySelector<T>(selector);
  if (!el) throw new Error(`missing element ${selector}`);
  return el;
}

const LANG_NAMES: Record<Lang, string> = { pl: 'Polski', en: 'English' };

/** The PL/EN switch: two toggle buttons, each named in its own language. */
export function languageSwitch(): HTMLElement {
  const group = document.createElement('div');
  group.className = 'lang-switch';
  group.setAttribute('role', 'group');
  group.dataset.i18nAttr = 'aria-label:languageSwitch';
  const buttons = LANGS.map((l) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.lang = l;
    b.textContent = l.toUpperCase();
    b.title = LANG_NAMES[l];
    b.addEventListener('click', () => setLang(l));
    group.append(b);
    return b;
  });
  const sync = () => {
    buttons.forEach((b, i) => b.setAttribute('aria-pressed', String(LANGS[i] === lang())));
  };
  sync();
  onLanguageChange(sync);
  applyTranslations(group.parentNode ?? group);
  return group;
}

/** The top bar both pages share; `middle` goes between the brand and the language switch. */
export function header(...middle: Node[]): HTMLElement {
  const bar = document.createElement('header');
  bar.className = 'topbar';
  bar.append(
    fragment(`<a class="brand" href="/"><span class="brand__mark" aria-hidden="true">N</span><span class="brand__name">Narada</span><span class="visually-hidden" data-i18n="homeLinkSuffix"></span></a>`),
    ...middle,
    languageSwitch(),
  );
  applyTranslations(bar);
  return bar;
}

/** Markup of a data table in its scrolling wrapper: a visually hidden caption, column headers, an empty body. */
export function tableHtml(className: string, caption: MessageKey, columns: MessageKey[]): string {
  return `<div class="table-wrap">
    <table class="${className}">
      <caption class="visually-hidden" data-i18n="${caption}"></caption>
      <thead><tr>${columns.map((c) => `<th scope="col" data-i18n="${c}"></th>`).join('')}</tr></thead>
      <tbody></tbody>
    </table>
  </div>`;
}
