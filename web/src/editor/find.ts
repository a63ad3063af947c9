/**
 * Find and replace (Ctrl+F, Ctrl+H): a search bar under the toolbar with the query, the
 * replacement, a case option, the match count ("2 z 12") in a polite live region, previous/next
 * (Shift+Enter/Enter), replace and replace all. Matches are highlighted by a ProseMirror plugin
 * (decorations, nothing written into the document).
 *
 * Replace all is one ProseMirror transaction, so one Yjs transaction, and the Yjs undo manager
 * is told to stop capturing before and after it: one Ctrl+Z undoes exactly the whole
 * replacement, not the typing just before it.
 *
 * Matching works on each text block's text (a match never spans two paragraphs); leaf nodes
 * such as hard breaks stand for one character, so string offsets are document positions.
 */

import { Extension, type Editor } from '@tiptap/core';
import { Plugin, PluginKey, type EditorState, type Transaction } from '@tiptap/pm/state';
import { Decoration, DecorationSet } from '@tiptap/pm/view';
import { yUndoPluginKey } from '@tiptap/y-tiptap';
import { t, onLanguageChange } from '../i18n';
import { fragment, $ } from '../ui';
import type { EditorContext, Panel } from './context';

interface Match {
  from: number;
  to: number;
}

interface FindState {
  query: string;
  caseSensitive: boolean;
  matches: Match[];
  current: number;
  decorations: DecorationSet;
}

interface FindMeta {
  query?: string;
  caseSensitive?: boolean;
  current?: number;
}

const findKey = new PluginKey<FindState>('narada-find');

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function findMatches(state: EditorState, query: string, caseSensitive: boolean): Match[] {
  if (!query) return [];
  const re = new RegExp(escapeRegExp(query), caseSensitive ? 'gu' : 'giu');
  const found: Match[] = [];
  state.doc.descendants((node, pos) => {
    if (!node.isTextblock) return true;
    const text = node.textBetween(0, node.content.size, undefined, '\ufffc');
    for (const m of text.matchAll(re)) {
      if (m[0].length === 0) continue;
      const from = pos + 1 + (m.index ?? 0);
      found.push({ from, to: from + m[0].length });
    }
    return false;
  });
  return found;
}

function decorate(state: EditorState, matches: Match[], current: number): DecorationSet {
  return DecorationSet.create(
    state.doc,
    matches.map((m, i) => Decoration.inline(m.from, m.to, { class: i === current ? 'find-match find-match--current' : 'find-match' })),
  );
}

function nearest(matches: Match[], pos: number): number {
  if (matches.length === 0) return -1;
  const i = matches.findIndex((m) => m.from >= pos);
  return i < 0 ? 0 : i;
}

function apply(tr: Transaction, prev: FindState, state: EditorState): FindState {
  const meta = tr.getMeta(findKey) as FindMeta | undefined;
  if (!meta && !tr.docChanged) return prev;
  const query = meta?.query ?? prev.query;
  const caseSensitive = meta?.caseSensitive ?? prev.caseSensitive;
  const matches = findMatches(state, query, caseSensitive);
  let current: number;
  if (meta?.current !== undefined) current = matches.length ? ((meta.current % matches.length) + matches.length) % matches.length : -1;
  else if (meta?.query !== undefined || meta?.caseSensitive !== undefined) current = nearest(matches, state.selection.from);
  else {
    // The document changed under the search: keep the current match where it was.
    const was = prev.matches[prev.current];
    current = was ? nearest(matches, tr.mapping.map(was.from)) : nearest(matches, state.selection.from);
  }
  return { query, caseSensitive, matches, current, decorations: decorate(state, matches, current) };
}

/** The plugin that holds the search and draws its matches. */
export const FindExtension = Extension.create({
  name: 'naradaFind',
  addProseMirrorPlugins() {
    return [
      new Plugin<FindState>({
        key: findKey,
        state: {
          init: () => ({ query: '', caseSensitive: false, matches: [], current: -1, decorations: DecorationSet.empty }),
          apply: (tr, prev, _old, state) => apply(tr, prev, state),
        },
        props: {
          decorations: (state) => findKey.getState(state)?.decorations,
        },
      }),
    ];
  },
});

function findState(editor: Editor): FindState | undefined {
  return findKey.getState(editor.state);
}

function setFind(editor: Editor, meta: FindMeta): void {
  editor.view.dispatch(editor.state.tr.setMeta(findKey, meta).setMeta('addToHistory', false));
}

/** Stops the Yjs undo manager merging what comes next with what came before. */
function undoBoundary(editor: Editor): void {
  const manager = yUndoPluginKey.getState(editor.state)?.undoManager as { stopCapturing(): void } | undefined;
  manager?.stopCapturing();
}

/** Replaces every match in one transaction (one undo step); returns how many. */
export function replaceAll(editor: Editor, replacement: string): number {
  const s = findState(editor);
  if (!s || s.matches.length === 0) return 0;
  undoBoundary(editor);
  const tr = editor.state.tr;
  for (const m of [...s.matches].reverse()) tr.insertText(replacement, m.from, m.to);
  editor.view.dispatch(tr);
  undoBoundary(editor);
  return s.matches.length;
}

export interface FindPanel extends Panel {
  open(replace: boolean): void;
}

export function mountFind(ctx: EditorContext): FindPanel {
  const element = fragment(`
    <div class="find" role="search" aria-labelledby="find-title" hidden>
      <h2 class="visually-hidden" id="find-title" data-i18n="findOpen"></h2>
      <div class="find__row">
        <label for="find-query" data-i18n="findLabel"></label>
        <input id="find-query" type="search" spellcheck="false" autocomplete="off" aria-describedby="find-count">
        <button class="button button--secondary button--small" type="button" data-find="prev" data-i18n="findPrevious" aria-keyshortcuts="Shift+Enter"></button>
        <button class="button button--secondary button--small" type="button" data-find="next" data-i18n="findNext" aria-keyshortcuts="Enter"></button>
        <label class="check"><input id="find-case" type="checkbox"> <span data-i18n="findCase"></span></label>
        <span class="find__count" id="find-count" role="status" aria-live="polite"></span>
      </div>
      <div class="find__row find__replace">
        <label for="find-replacement" data-i18n="replaceLabel"></label>
        <input id="find-replacement" type="text" spellcheck="false" autocomplete="off">
        <button class="button button--secondary button--small" type="button" data-find="replace" data-i18n="replaceOne"></button>
        <button class="button button--secondary button--small" type="button" data-find="all" data-i18n="replaceAll"></button>
      </div>
      <button class="button button--secondary button--small find__close" type="button" data-find="close" data-i18n="findClose" aria-keyshortcuts="Escape"></button>
    </div>`).firstElementChild as HTMLElement;
  const query = $<HTMLInputElement>(element, '#find-query');
  const replacement = $<HTMLInputElement>(element, '#find-replacement');
  const caseBox = $<HTMLInputElement>(element, '#find-case');
  const count = $(element, '#find-count');
  const replaceRow = $(element, '.find__replace');
  let replacedNote = '';
  let returnFocus: HTMLElement | null = null;
  let countTimer: number | undefined;

  const renderCount = () => {
    const editor = ctx.editor();
    const s = editor ? findState(editor) : undefined;
    let text = '';
    if (s && s.query) text = s.matches.length === 0 ? t('findNone') : t('findCount', { i: s.current + 1, n: s.matches.length });
    if (replacedNote) text = `${replacedNote} ${text}`.trim();
    if (count.textContent !== text) count.textContent = text;
  };
  const scrollToCurrent = () => {
    const el = ctx.editor()?.view.dom.querySelector('.find-match--current');
    el?.scrollIntoView({ block: 'center' });
  };
  const search = (meta: FindMeta) => {
    const editor = ctx.editor();
    if (!editor) return;
    replacedNote = '';
    setFind(editor, meta);
    renderCount();
    scrollToCurrent();
  };
  const step = (by: number) => {
    const editor = ctx.editor();
    const s = editor && findState(editor);
    if (!s || s.matches.length === 0) return;
    search({ current: s.current + by });
  };
  const replaceCurrent = () => {
    const editor = ctx.editor();
    const s = editor && findState(editor);
    if (!editor || !s || s.current < 0 || !ctx.writable()) return;
    const m = s.matches[s.current];
    undoBoundary(editor);
    editor.view.dispatch(editor.state.tr.insertText(replacement.value, m.from, m.to));
    undoBoundary(editor);
    renderCount();
    scrollToCurrent();
  };

  query.addEventListener('input', () => search({ query: query.value }));
  caseBox.addEventListener('change', () => search({ caseSensitive: caseBox.checked }));
  element.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      close();
    } else if (ev.key === 'Enter' && ev.target === query) {
      ev.preventDefault();
      step(ev.shiftKey ? -1 : 1);
    } else if (ev.key === 'Enter' && ev.target === replacement) {
      ev.preventDefault();
      replaceCurrent();
    }
  });
  element.addEventListener('click', (ev) => {
    const action = (ev.target as HTMLElement).closest<HTMLElement>('[data-find]')?.dataset.find;
    const editor = ctx.editor();
    if (!action || !editor) return;
    if (action === 'prev') step(-1);
    else if (action === 'next') step(1);
    else if (action === 'replace') replaceCurrent();
    else if (action === 'all' && ctx.writable()) {
      const n = replaceAll(editor, replacement.value);
      renderCount();
      replacedNote = t('findReplaced', { n });
      renderCount();
    } else if (action === 'close') close();
  });

  const close = () => {
    element.hidden = true;
    const editor = ctx.editor();
    const s = editor && findState(editor);
    const at = s && s.current >= 0 ? s.matches[s.current] : null;
    if (editor) setFind(editor, { query: '' });
    if (editor && at && returnFocus === editor.view.dom) editor.chain().focus().setTextSelection(at).run();
    else returnFocus?.focus();
  };

  // Others' edits change the matches: the count follows, but at most once a second (it is spoken).
  const offChange = ctx.onChange(() => {
    if (element.hidden || countTimer !== undefined) return;
    countTimer = window.setTimeout(() => {
      countTimer = undefined;
      renderCount();
    }, 1000);
  });
  const offLang = onLanguageChange(() => {
    replacedNote = '';
    renderCount();
  });

  return {
    element,
    open(replace) {
      const wasHidden = element.hidden;
      if (wasHidden) returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      element.hidden = false;
      const withReplace = replace && ctx.writable();
      replaceRow.hidden = !withReplace;
      const editor = ctx.editor();
      // Selected text (within one paragraph) is what to look for.
      if (editor && !editor.state.selection.empty) {
        const { from, to } = editor.state.selection;
        const text = editor.state.doc.textBetween(from, to, '\n');
        if (text && !text.includes('\n')) query.value = text;
      }
      search({ query: query.value, caseSensitive: caseBox.checked });
      if (withReplace && query.value) replacement.focus();
      else {
        query.focus();
        query.select();
      }
    },
    destroy() {
      window.clearTimeout(countTimer);
      offChange();
      offLang();
    },
  };
}
