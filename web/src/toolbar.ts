/**
 * The formatting toolbar: one tab stop, arrow keys move between buttons (the WAI-ARIA toolbar
 * pattern), toggles report their state with `aria-pressed`, unavailable actions are
 * `aria-disabled` but stay focusable so keyboard users can still discover them.
 */

import type { Editor } from '@tiptap/core';
import { type MessageKey, t, onLanguageChange } from './i18n';

interface Tool {
  id: string;
  label: MessageKey;
  /** Visible glyph (text or inline SVG markup); the full name is the accessible name and tooltip. */
  glyph: string;
  /**
   * The glyph is a word a speech-input user would say ("H1"), so the accessible name must
   * contain it (WCAG 2.5.3 label in name).
   */
  sayable?: boolean;
  shortcut?: string;
  /** Toggles have a pressed state; actions (undo/redo) do not. */
  isActive?: (e: Editor) => boolean;
  run: (e: Editor) => void;
  can: (e: Editor) => boolean;
  group: number;
}

// Small line icons drawn with currentColor, so they follow the button's state colours.
const BULLET_ICON =
  '<svg viewBox="0 0 20 20" width="20" height="20" fill="currentColor"><circle cx="4" cy="5" r="1.8"/><circle cx="4" cy="10" r="1.8"/><circle cx="4" cy="15" r="1.8"/><rect x="8" y="4" width="10" height="2" rx="1"/><rect x="8" y="9" width="10" height="2" rx="1"/><rect x="8" y="14" width="10" height="2" rx="1"/></svg>';
const NUMBERED_ICON =
  '<svg viewBox="0 0 20 20" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" stroke-linejoin="round"><path d="M2.2 3.6 3.8 2.6v5"/><path d="M2.2 12.6c.4-1 2.8-1.2 2.8.4 0 1.1-1.6 1.9-2.8 3.4h3"/><path d="M8.5 5h9.5M8.5 15h9.5" stroke-width="2"/></svg>';

const TOOLS: Tool[] = [
  {
    id: 'paragraph', label: 'paragraph', glyph: '¶', group: 0, shortcut: 'Ctrl+Alt+0',
    isActive: (e) => e.isActive('paragraph'),
    run: (e) => e.chain().focus().setParagraph().run(),
    can: (e) => e.isActive('paragraph') || e.can().setParagraph(),
  },
  ...([1, 2, 3] as const).map((level): Tool => ({
    id: `h${level}`, label: `heading${level}` as MessageKey, glyph: `H${level}`, sayable: true, group: 0, shortcut: `Ctrl+Alt+${level}`,
    isActive: (e) => e.isActive('heading', { level }),
    run: (e) => e.chain().focus().toggleHeading({ level }).run(),
    can: (e) => e.can().toggleHeading({ level }),
  })),
  {
    id: 'bold', label: 'bold', glyph: 'B', group: 1, shortcut: 'Ctrl+B',
    isActive: (e) => e.isActive('bold'),
    run: (e) => e.chain().focus().toggleBold().run(),
    can: (e) => e.can().toggleBold(),
  },
  {
    id: 'italic', label: 'italic', glyph: 'I', group: 1, shortcut: 'Ctrl+I',
    isActive: (e) => e.isActive('italic'),
    run: (e) => e.chain().focus().toggleItalic().run(),
    can: (e) => e.can().toggleItalic(),
  },
  {
    id: 'bulletList', label: 'bulletList', glyph: BULLET_ICON, group: 2, shortcut: 'Ctrl+Shift+8',
    isActive: (e) => e.isActive('bulletList'),
    run: (e) => e.chain().focus().toggleBulletList().run(),
    can: (e) => e.can().toggleBulletList(),
  },
  {
    id: 'orderedList', label: 'orderedList', glyph: NUMBERED_ICON, group: 2, shortcut: 'Ctrl+Shift+7',
    isActive: (e) => e.isActive('orderedList'),
    run: (e) => e.chain().focus().toggleOrderedList().run(),
    can: (e) => e.can().toggleOrderedList(),
  },
  {
    id: 'undo', label: 'undo', glyph: '↶', group: 3, shortcut: 'Ctrl+Z',
    run: (e) => e.chain().focus().undo().run(),
    can: (e) => e.can().undo(),
  },
  {
    id: 'redo', label: 'redo', glyph: '↷', group: 3, shortcut: 'Ctrl+Y',
    run: (e) => e.chain().focus().redo().run(),
    can: (e) => e.can().redo(),
  },
];

export interface Toolbar {
  element: HTMLElement;
  /** Binds to an editor (or null while none is mounted) and refreshes states. */
  attach(editor: Editor | null): void;
  update(): void;
  destroy(): void;
}

export function createToolbar(): Toolbar {
  const bar = document.createElement('div');
  bar.className = 'toolbar';
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-controls', 'editor');
  let editor: Editor | null = null;
  const buttons: HTMLButtonElement[] = [];
  let group = -1;
  let groupEl: HTMLElement | null = null;

  for (const tool of TOOLS) {
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
    bar.setAttribute('aria-label', t('toolbarLabel'));
    TOOLS.forEach((tool, i) => {
      const name = t(tool.label);
      buttons[i].setAttribute('aria-label', tool.sayable ? `${name}, ${tool.glyph}` : name);
      buttons[i].title = tool.shortcut ? `${name} (${tool.shortcut})` : name;
      if (tool.shortcut) buttons[i].setAttribute('aria-keyshortcuts', tool.shortcut.replace('Ctrl', 'Control'));
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
    TOOLS.forEach((tool, i) => {
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
