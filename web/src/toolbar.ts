/**
 * A toolbar (formatting, table): one tab stop, arrow keys move between buttons (the WAI-ARIA toolbar
 * pattern), toggles report their state with `aria-pressed`, unavailable actions are
 * `aria-disabled` but stay focusable so keyboard users can still discover them.
 */

import type { Editor } from '@tiptap/core';
import { type MessageKey, t, onLanguageChange } from './i18n';
import { type Tool, ariaShortcut } from './editor/tools';

export interface Toolbar {
  element: HTMLElement;
  /** Binds to an editor (or null while none is mounted) and refreshes states. */
  attach(editor: Editor | null): void;
  update(): void;
  destroy(): void;
}

/** A toolbar of `tools` (see `editor/tools.ts`), named by `label`. */
export function createToolbar(tools: Tool[], label: MessageKey, className = 'toolbar'): Toolbar {
  const bar = document.createElement('div');
  bar.className = className;
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-controls', 'editor');
  let editor: Editor | null = null;
  const buttons: HTMLButtonElement[] = [];
  let group = -1;
  let groupEl: HTMLElement | null = null;

  for (const tool of tools) {
    if (tool.group !== group) {
      group = tool.group;
      groupEl = document.createElement('div');
      groupEl.className = 'toolbar__group';
      bar.append(groupEl);
    }
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `toolbar__button toolbar__button--${tool.id}`;
    b.dataset.tool = tool.id;
    const glyph = document.createElement('span');
    glyph.setAttribute('aria-hidden', 'true');
    if (tool.glyph.startsWith('<svg')) glyph.innerHTML = tool.glyph; // a constant above, never input
    else glyph.textContent = tool.glyph;
    b.append(glyph);
    if (tool.isActive) b.setAttribute('aria-pressed', 'false');
    b.tabIndex = buttons.length === 0 ? 0 : -1;
    // Keep the editor's selection: a mouse press on a button must not move focus first.
    b.addEventListener('mousedown', (ev) => ev.preventDefault());
    b.addEventListener('click', () => {
      if (!editor || b.getAttribute('aria-disabled') === 'true') return;
      tool.run(editor);
    });
    groupEl!.append(b);
    buttons.push(b);
  }

  const relabel = () => {
    bar.setAttribute('aria-label', t(label));
    tools.forEach((tool, i) => {
      const name = t(tool.label);
      buttons[i].setAttribute('aria-label', tool.sayable ? `${name}, ${tool.glyph}` : name);
      buttons[i].title = tool.shortcut ? `${name} (${tool.shortcut})` : name;
      if (tool.shortcut) buttons[i].setAttribute('aria-keyshortcuts', ariaShortcut(tool.shortcut));
    });
  };
  relabel();
  const unsubscribe = onLanguageChange(relabel);

  const focusAt = (i: number) => {
    const n = buttons.length;
    const next = buttons[((i % n) + n) % n];
    for (const b of buttons) b.tabIndex = b === next ? 0 : -1;
    next.focus();
  };
  bar.addEventListener('keydown', (ev) => {
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const moves: Record<string, number> = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: buttons.length - 1 };
    if (ev.key in moves) {
      ev.preventDefault();
      focusAt(moves[ev.key]);
    }
  });
  bar.addEventListener('focusin', (ev) => {
    const b = ev.target as HTMLButtonElement;
    if (buttons.includes(b)) for (const o of buttons) o.tabIndex = o === b ? 0 : -1;
  });

  const update = () => {
    tools.forEach((tool, i) => {
      const b = buttons[i];
      const usable = !!editor && editor.isEditable && tool.can(editor);
      b.setAttribute('aria-disabled', String(!usable));
      if (tool.isActive) b.setAttribute('aria-pressed', String(!!editor && tool.isActive(editor)));
    });
  };

  return {
    element: bar,
    attach(e) {
      editor = e;
      update();
    },
    update,
    destroy: unsubscribe,
  };
}
