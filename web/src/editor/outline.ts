/**
 * The outline panel: the document's headings as a list of buttons, indented by level. A click
 * or Enter puts the caret at the start of that heading and scrolls it into view; the section the
 * caret is in is marked with `aria-current="location"` (and visibly). The list is rebuilt only
 * when the headings change, not on every keystroke in a paragraph.
 */

import type { Editor } from '@tiptap/core';
import { t, onLanguageChange } from '../i18n';
import { fragment, $ } from '../ui';
import { type EditorContext, type Panel, onChangeEachFrame } from './context';

interface Heading {
  pos: number;
  level: number;
  text: string;
}

function headings(editor: Editor): Heading[] {
  const list: Heading[] = [];
  editor.state.doc.descendants((node, pos) => {
    if (node.type.name === 'heading') {
      list.push({ pos, level: Number(node.attrs.level) || 1, text: node.textContent.trim() });
      return false;
    }
    // Headings live at the top level or in quotes and cells; no need to look inside text.
    return !node.isTextblock;
  });
  return list;
}

/** Moves the caret to the heading at `pos` and brings it to the top of the view. */
export function jumpTo(editor: Editor, pos: number): void {
  editor.chain().focus().setTextSelection(pos + 1).run();
  const dom = editor.view.nodeDOM(pos);
  if (dom instanceof HTMLElement) dom.scrollIntoView({ block: 'start' });
}

export function mountOutline(ctx: EditorContext): Panel {
  const element = fragment(`
    <nav class="outline" aria-labelledby="outline-heading">
      <h2 class="outline__title" id="outline-heading" data-i18n="outlineTitle"></h2>
      <p class="outline__empty" data-i18n="outlineEmpty"></p>
      <ol class="outline__list"></ol>
    </nav>`).firstElementChild as HTMLElement;
  const list = $(element, '.outline__list');
  const empty = $(element, '.outline__empty');
  let shown = '';
  let items: { heading: Heading; button: HTMLButtonElement }[] = [];

  const render = () => {
    const editor = ctx.editor();
    const found = editor ? headings(editor) : [];
    const key = JSON.stringify(found.map((h) => [h.level, h.text]));
    if (key !== shown) {
      shown = key;
      items = found.map((heading) => {
        const li = document.createElement('li');
        li.className = `outline__entry outline__entry--h${heading.level}`;
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'outline__item';
        button.textContent = heading.text || t('outlineUntitled');
        li.append(button);
        return { heading, button };
      });
      list.replaceChildren(...items.map((i) => i.button.parentElement!));
      empty.hidden = items.length > 0;
    } else {
      // Same headings, maybe elsewhere: keep the positions current for jumps.
      found.forEach((h, i) => (items[i].heading = h));
    }
    const at = editor?.state.selection.from ?? -1;
    let current = -1;
    items.forEach((item, i) => {
      if (item.heading.pos < at) current = i;
    });
    items.forEach((item, i) => {
      if (i === current) item.button.setAttribute('aria-current', 'location');
      else item.button.removeAttribute('aria-current');
    });
  };

  list.addEventListener('click', (ev) => {
    const button = (ev.target as HTMLElement).closest('button');
    const item = items.find((i) => i.button === button);
    const editor = ctx.editor();
    if (item && editor) jumpTo(editor, item.heading.pos);
  });
  const offChange = onChangeEachFrame(ctx, render);
  const offLang = onLanguageChange(() => {
    shown = '';
    render();
  });
  render();
  return {
    element,
    destroy() {
      offChange();
      offLang();
    },
  };
}
