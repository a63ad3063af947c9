/**
 * The word and character count under the document, and the header that only print shows (the
 * document's title and the date it was printed). The count is plain text, not a live region: it
 * changes with every keystroke, which a screen reader should not hear.
 */

import { t, lang, onLanguageChange } from '../i18n';
import { fragment, $ } from '../ui';
import { type EditorContext, type Panel, onChangeEachFrame } from './context';

interface CountStorage {
  characterCount?: { words(): number; characters(): number };
}

export function mountStats(ctx: EditorContext): Panel {
  const element = fragment(`<p class="doc-stats"><span class="doc-stats__words"></span> · <span class="doc-stats__chars"></span></p>`)
    .firstElementChild as HTMLElement;
  const words = $(element, '.doc-stats__words');
  const chars = $(element, '.doc-stats__chars');
  const render = () => {
    const counter = (ctx.editor()?.storage as CountStorage | undefined)?.characterCount;
    const format = new Intl.NumberFormat(lang());
    words.textContent = t('statsWords', { n: format.format(counter?.words() ?? 0) });
    chars.textContent = t('statsChars', { n: format.format(counter?.characters() ?? 0) });
  };
  const offChange = onChangeEachFrame(ctx, render);
  const offLang = onLanguageChange(render);
  render();
  return {
    element,
    destroy() {
      offChange();
      offLang();
    },
  };
}

/** The print-only header: title, and the date of printing (set again just before each print). */
export function mountPrintHeader(title: string): Panel {
  const element = fragment(`<div class="print-header"><p class="print-header__title"></p><p class="print-header__date"></p></div>`)
    .firstElementChild as HTMLElement;
  $(element, '.print-header__title').textContent = title;
  const date = $(element, '.print-header__date');
  const render = () => {
    const today = new Intl.DateTimeFormat(lang(), { dateStyle: 'long' }).format(new Date());
    date.textContent = t('printedOn', { date: today });
  };
  render();
  const offLang = onLanguageChange(render);
  window.addEventListener('beforeprint', render);
  return {
    element,
    destroy() {
      offLang();
      window.removeEventListener('beforeprint', render);
    },
  };
}
