/**
 * What the document page gives its panels (outline, find and replace, counts, people): the
 * editor of the moment (the page makes a new one when the person's role changes) and a
 * notification after each of its transactions. A panel is `mount(ctx)` → `{ element, destroy }`.
 */

import type { Editor } from '@tiptap/core';

export interface EditorContext {
  /** The live editor, or null while none is mounted. */
  editor(): Editor | null;
  /** Whether the person may change the document (the editor is writable). */
  writable(): boolean;
  /** Calls `f` after every transaction and when another editor is mounted; returns the unsubscribe. */
  onChange(f: () => void): () => void;
}

/** Like `ctx.onChange`, but `f` runs at most once per animation frame (for panels that redraw). */
export function onChangeEachFrame(ctx: EditorContext, f: () => void): () => void {
  let frame = 0;
  const off = ctx.onChange(() => {
    if (!frame)
      frame = requestAnimationFrame(() => {
        frame = 0;
        f();
      });
  });
  return () => {
    cancelAnimationFrame(frame);
    off();
  };
}

export interface Panel {
  element: HTMLElement;
  destroy(): void;
}

/** The page's side of the context: `changed()` after each transaction and each new editor. */
export function createContext(editor: () => Editor | null, writable: () => boolean): EditorContext & { changed(): void } {
  const listeners = new Set<() => void>();
  return {
    editor,
    writable,
    onChange(f) {
      listeners.add(f);
      return () => listeners.delete(f);
    },
    changed() {
      for (const f of listeners) f();
    },
  };
}
