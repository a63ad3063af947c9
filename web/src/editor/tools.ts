/**
 * What the editor's toolbars offer: every block type, mark and table operation with its label,
 * glyph and keyboard shortcut. The shortcuts dialog lists exactly these (plus the page-wide keys
 * in `shortcuts.ts`), so a control never exists without a shortcut written next to it.
 *
 * The shortcuts themselves are bound by Tiptap's extensions (StarterKit, TextAlign) or by
 * `keys.ts`; here they are only named. Letters under Ctrl+Alt avoid a c e l n o s x z, which
 * Polish keyboards type with AltGr (= Ctrl+Alt on Windows).
 */

import type { Editor } from '@tiptap/core';
import type { MessageKey } from '../i18n';

export interface Tool {
  id: string;
  label: MessageKey;
  /** Visible glyph (text or inline SVG markup); the full name is the accessible name and tooltip. */
  glyph: string;
  /**
   * The glyph is a word a speech-input user would say ("H1"), so the accessible name must
   * contain it (WCAG 2.5.3 label in name).
   */
  sayable?: boolean;
  /** As shown to people, e.g. `Ctrl+Alt+Shift+↑`; `aria-keyshortcuts` is derived from it. */
  shortcut?: string;
  /** Toggles have a pressed state; actions (undo/redo) do not. */
  isActive?: (e: Editor) => boolean;
  run: (e: Editor) => void;
  can: (e: Editor) => boolean;
  group: number;
}

/** What tools need from the page besides the editor (dialogs and panels). */
export interface ToolActions {
  openLink(): void;
  openFind(replace: boolean): void;
  openShortcuts(): void;
}

const svg = (body: string) =>
  `<svg viewBox="0 0 20 20" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;

// Small line icons drawn with currentColor, so they follow the button's state colours.
const BULLET_ICON =
  '<svg viewBox="0 0 20 20" width="20" height="20" fill="currentColor"><circle cx="4" cy="5" r="1.8"/><circle cx="4" cy="10" r="1.8"/><circle cx="4" cy="15" r="1.8"/><rect x="8" y="4" width="10" height="2" rx="1"/><rect x="8" y="9" width="10" height="2" rx="1"/><rect x="8" y="14" width="10" height="2" rx="1"/></svg>';
const NUMBERED_ICON =
  '<svg viewBox="0 0 20 20" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" stroke-linejoin="round"><path d="M2.2 3.6 3.8 2.6v5"/><path d="M2.2 12.6c.4-1 2.8-1.2 2.8.4 0 1.1-1.6 1.9-2.8 3.4h3"/><path d="M8.5 5h9.5M8.5 15h9.5" stroke-width="2"/></svg>';
const QUOTE_ICON = svg('<path d="M4 5v10" stroke-width="2.4"/><path d="M8 6h9M8 10h9M8 14h6"/>');
const RULE_ICON = svg('<path d="M2.5 10h15" stroke-width="2.2"/><path d="M5 5h10M5 15h10" stroke-width="1" opacity=".6"/>');
const LINK_ICON = svg('<path d="M8.5 11.5a3 3 0 0 0 4.2 0l2.6-2.6a3 3 0 0 0-4.2-4.2l-1 1"/><path d="M11.5 8.5a3 3 0 0 0-4.2 0l-2.6 2.6a3 3 0 0 0 4.2 4.2l1-1"/>');
const TABLE_ICON = svg('<rect x="2.5" y="3.5" width="15" height="13" rx="1"/><path d="M2.5 8h15M2.5 12.3h15M7.5 3.5v13M12.5 3.5v13"/>');
const FIND_ICON = svg('<circle cx="8.5" cy="8.5" r="5"/><path d="m12.2 12.2 5 5" stroke-width="2"/>');
const KEYS_ICON = svg('<rect x="1.5" y="5" width="17" height="10" rx="1.5"/><path d="M4.5 8h1M8 8h1M11.5 8h1M15 8h.5M5.5 12h9"/>');
const alignIcon = (lines: [number, number][]) =>
  svg(lines.map(([x1, x2], i) => `<path d="M${x1} ${4 + i * 4}h${x2 - x1}"/>`).join(''));

const ALIGNS = [
  { id: 'Left', value: 'left', key: 'L', icon: alignIcon([[2.5, 17.5], [2.5, 12], [2.5, 17.5], [2.5, 10]]) },
  { id: 'Center', value: 'center', key: 'E', icon: alignIcon([[2.5, 17.5], [5.5, 14.5], [2.5, 17.5], [6.5, 13.5]]) },
  { id: 'Right', value: 'right', key: 'R', icon: alignIcon([[2.5, 17.5], [8, 17.5], [2.5, 17.5], [10, 17.5]]) },
  { id: 'Justify', value: 'justify', key: 'J', icon: alignIcon([[2.5, 17.5], [2.5, 17.5], [2.5, 17.5], [2.5, 17.5]]) },
] as const;

/** The main formatting toolbar. */
export function formattingTools(actions: ToolActions): Tool[] {
  return [
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
      id: 'blockquote', label: 'blockquote', glyph: QUOTE_ICON, group: 0, shortcut: 'Ctrl+Shift+B',
      isActive: (e) => e.isActive('blockquote'),
      run: (e) => e.chain().focus().toggleBlockquote().run(),
      can: (e) => e.can().toggleBlockquote(),
    },
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
      id: 'underline', label: 'underline', glyph: 'U', group: 1, shortcut: 'Ctrl+U',
      isActive: (e) => e.isActive('underline'),
      run: (e) => e.chain().focus().toggleUnderline().run(),
      can: (e) => e.can().toggleUnderline(),
    },
    {
      id: 'strike', label: 'strike', glyph: 'S', group: 1, shortcut: 'Ctrl+Shift+S',
      isActive: (e) => e.isActive('strike'),
      run: (e) => e.chain().focus().toggleStrike().run(),
      can: (e) => e.can().toggleStrike(),
    },
    {
      id: 'link', label: 'link', glyph: LINK_ICON, group: 1, shortcut: 'Ctrl+K',
      isActive: (e) => e.isActive('link'),
      run: () => actions.openLink(),
      can: (e) => e.isActive('link') || e.can().setLink({ href: 'https://example.org' }),
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
    ...ALIGNS.map((a): Tool => ({
      id: `align${a.id}`, label: `align${a.id}` as MessageKey, glyph: a.icon, group: 3, shortcut: `Ctrl+Shift+${a.key}`,
      // Left is the default: a paragraph without an alignment is left-aligned.
      isActive: (e) => e.isActive({ textAlign: a.value }) || (a.value === 'left' && !alignedOtherwise(e)),
      run: (e) => e.chain().focus().setTextAlign(a.value).run(),
      can: (e) => e.can().setTextAlign(a.value),
    })),
    {
      id: 'horizontalRule', label: 'horizontalRule', glyph: RULE_ICON, group: 4, shortcut: 'Ctrl+Alt+R',
      run: (e) => e.chain().focus().setHorizontalRule().run(),
      can: (e) => e.can().setHorizontalRule(),
    },
    {
      id: 'insertTable', label: 'insertTable', glyph: TABLE_ICON, group: 4, shortcut: 'Ctrl+Alt+Shift+T',
      run: (e) => insertTable(e),
      can: (e) => !e.isActive('table') && e.can().insertTable({ rows: 3, cols: 3, withHeaderRow: true }),
    },
    {
      id: 'find', label: 'findOpen', glyph: FIND_ICON, group: 5, shortcut: 'Ctrl+F',
      run: () => actions.openFind(false),
      can: () => true,
    },
    {
      id: 'shortcuts', label: 'shortcutsOpen', glyph: KEYS_ICON, group: 5, shortcut: 'Ctrl+/',
      run: () => actions.openShortcuts(),
      can: () => true,
    },
    {
      id: 'undo', label: 'undo', glyph: '↶', group: 6, shortcut: 'Ctrl+Z',
      run: (e) => e.chain().focus().undo().run(),
      can: (e) => e.can().undo(),
    },
    {
      id: 'redo', label: 'redo', glyph: '↷', group: 6, shortcut: 'Ctrl+Y',
      run: (e) => e.chain().focus().redo().run(),
      can: (e) => e.can().redo(),
    },
  ];
}

function alignedOtherwise(e: Editor): boolean {
  return ['center', 'right', 'justify'].some((value) => e.isActive({ textAlign: value }));
}

/** A 3×3 table with a header row: the usual start of an actions or costs table. */
export function insertTable(e: Editor): boolean {
  return e.chain().focus().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run();
}

/** The table toolbar, shown while the caret is in a table. */
export function tableTools(): Tool[] {
  const op = (id: string, label: MessageKey, glyph: string, shortcut: string, group: number, cmd: (e: Editor) => boolean, can: (e: Editor) => boolean): Tool => ({
    id, label, glyph, shortcut, group, run: (e) => void cmd(e), can,
  });
  return [
    op('addRowBefore', 'tableAddRowBefore', '↥', 'Ctrl+Alt+Shift+↑', 0, (e) => e.chain().focus().addRowBefore().run(), (e) => e.can().addRowBefore()),
    op('addRowAfter', 'tableAddRowAfter', '↧', 'Ctrl+Alt+Shift+↓', 0, (e) => e.chain().focus().addRowAfter().run(), (e) => e.can().addRowAfter()),
    op('deleteRow', 'tableDeleteRow', '⊟', 'Ctrl+Alt+Shift+W', 0, (e) => e.chain().focus().deleteRow().run(), (e) => e.can().deleteRow()),
    op('addColumnBefore', 'tableAddColumnBefore', '⇤', 'Ctrl+Alt+Shift+←', 1, (e) => e.chain().focus().addColumnBefore().run(), (e) => e.can().addColumnBefore()),
    op('addColumnAfter', 'tableAddColumnAfter', '⇥', 'Ctrl+Alt+Shift+→', 1, (e) => e.chain().focus().addColumnAfter().run(), (e) => e.can().addColumnAfter()),
    op('deleteColumn', 'tableDeleteColumn', '⊞', 'Ctrl+Alt+Shift+K', 1, (e) => e.chain().focus().deleteColumn().run(), (e) => e.can().deleteColumn()),
    {
      id: 'headerRow', label: 'tableHeaderRow', glyph: '▤', shortcut: 'Ctrl+Alt+Shift+H', group: 2,
      isActive: (e) => headerRowOn(e),
      run: (e) => void e.chain().focus().toggleHeaderRow().run(),
      can: (e) => e.can().toggleHeaderRow(),
    },
    op('mergeCells', 'tableMergeCells', '⧈', 'Ctrl+Alt+Shift+M', 2, (e) => e.chain().focus().mergeCells().run(), (e) => e.can().mergeCells()),
    op('splitCell', 'tableSplitCell', '⧉', 'Ctrl+Alt+Shift+P', 2, (e) => e.chain().focus().splitCell().run(), (e) => e.can().splitCell()),
    op('deleteTable', 'tableDelete', '✕', 'Ctrl+Alt+Shift+U', 3, (e) => e.chain().focus().deleteTable().run(), (e) => e.can().deleteTable()),
  ];
}

/** Whether the first row of the table around the selection is made of header cells. */
function headerRowOn(e: Editor): boolean {
  const { $from } = e.state.selection;
  for (let d = $from.depth; d > 0; d--) {
    const node = $from.node(d);
    if (node.type.name === 'table') {
      const first = node.firstChild;
      return !!first && first.childCount > 0 && [...Array(first.childCount).keys()].every((i) => first.child(i).type.name === 'tableHeader');
    }
  }
  return false;
}

/** `aria-keyshortcuts` form of a shortcut as shown ("Ctrl+Alt+Shift+↑" → "Control+Alt+Shift+ArrowUp"). */
export function ariaShortcut(shown: string): string {
  const names: Record<string, string> = { Ctrl: 'Control', '↑': 'ArrowUp', '↓': 'ArrowDown', '←': 'ArrowLeft', '→': 'ArrowRight' };
  return shown.split('+').map((k) => names[k] ?? k).join('+');
}
