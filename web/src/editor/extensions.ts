/**
 * The Tiptap extensions of the document editor, and the shortcuts Tiptap does not bind itself.
 *
 * Content: StarterKit (headings 1-3, marks, lists, block quote, horizontal rule, links), tables
 * (header row, merged cells) and text alignment. Pasted HTML from Word, LibreOffice, Google Docs
 * and Excel is plain `<table>` markup underneath their styling, which the table extension's
 * parse rules take as it is; `test/fixtures/` holds samples of each.
 *
 * Links accept only http, https and mailto (also when pasted: other schemes, `javascript:` above
 * all, are dropped by the same check) and open in a new tab with `rel="noopener noreferrer"`.
 */

import { Extension, type AnyExtension } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import { TableKit } from '@tiptap/extension-table';
import TextAlign from '@tiptap/extension-text-align';
import { CharacterCount } from '@tiptap/extensions';
import { insertTable } from './tools';
import { FindExtension } from './find';

const SAFE_LINK = /^(https?:\/\/[^\s]+|mailto:[^\s]+)$/i;

/** Whether `href` may be a link in the document: http(s) or mailto, nothing else. */
export function isSafeHref(href: string): boolean {
  if (!SAFE_LINK.test(href)) return false;
  try {
    new URL(href);
    return true;
  } catch {
    return false;
  }
}

/**
 * What a person typed as a link address, made into one: an address without a scheme gets
 * `https://` (or `mailto:` when it is an email address). Null when it is not a safe link.
 */
export function normalizeHref(input: string): string | null {
  const v = input.trim();
  if (!v) return null;
  let href = v;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(v)) href = /^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/.test(v) ? `mailto:${v}` : `https://${v}`;
  return isSafeHref(href) ? href : null;
}

export interface KeyActions {
  openLink(): void;
}

/** Shortcuts for what has none in Tiptap: the link dialog, the horizontal rule, table operations. */
function naradaKeys(actions: KeyActions): AnyExtension {
  return Extension.create({
    name: 'naradaKeys',
    addKeyboardShortcuts() {
      const inTable = (f: () => boolean) => () => this.editor.isActive('table') && f();
      const c = () => this.editor.chain().focus();
      return {
        'Mod-k': () => {
          actions.openLink();
          return true;
        },
        'Mod-Alt-r': () => this.editor.commands.setHorizontalRule(),
        'Mod-Alt-Shift-t': () => !this.editor.isActive('table') && insertTable(this.editor),
        'Mod-Alt-Shift-ArrowUp': inTable(() => c().addRowBefore().run()),
        'Mod-Alt-Shift-ArrowDown': inTable(() => c().addRowAfter().run()),
        'Mod-Alt-Shift-w': inTable(() => c().deleteRow().run()),
        'Mod-Alt-Shift-ArrowLeft': inTable(() => c().addColumnBefore().run()),
        'Mod-Alt-Shift-ArrowRight': inTable(() => c().addColumnAfter().run()),
        'Mod-Alt-Shift-k': inTable(() => c().deleteColumn().run()),
        'Mod-Alt-Shift-h': inTable(() => c().toggleHeaderRow().run()),
        'Mod-Alt-Shift-m': inTable(() => c().mergeCells().run()),
        'Mod-Alt-Shift-p': inTable(() => c().splitCell().run()),
        'Mod-Alt-Shift-u': inTable(() => c().deleteTable().run()),
      };
    },
  });
}

/** Everything but collaboration (added by the page, which owns the Y.Doc and the provider). */
export function contentExtensions(actions: KeyActions): AnyExtension[] {
  return [
    StarterKit.configure({
      // Collaboration brings Yjs undo, which only undoes this person's own changes.
      undoRedo: false,
      heading: { levels: [1, 2, 3] },
      link: {
        openOnClick: false,
        autolink: true,
        defaultProtocol: 'https',
        isAllowedUri: (url) => isSafeHref(url),
        shouldAutoLink: (url) => isSafeHref(url) || isSafeHref(`https://${url}`),
        HTMLAttributes: { rel: 'noopener noreferrer', target: '_blank' },
      },
      // Each client would append its own empty trailing paragraph on every change (an
      // appendTransaction), and concurrently those duplicate: not safe with collaboration.
      trailingNode: false,
    }),
    TableKit.configure({ table: { resizable: false } }),
    TextAlign.configure({ types: ['heading', 'paragraph'] }),
    CharacterCount,
    FindExtension,
    naradaKeys(actions),
  ];
}
