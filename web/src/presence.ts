/**
 * The list of people present, from Yjs awareness. Names come from other clients, so they are
 * only ever set as text, trimmed and length-limited, and colours are accepted only as #rrggbb.
 *
 * - One entry per person, not per tab: awareness entries with the same `user.id` (the account,
 *   or the name for people without one) are one person, shown with the most recently moved
 *   caret of theirs. Your own other tabs are folded into "(you)".
 * - Each other person's name is a toggle button: pressed, the view follows their caret as it
 *   moves (pressed again, or their leaving, stops it). "Jump to" beside it puts your caret where
 *   theirs is, once.
 * - Joins and leaves are announced in a polite live region of their own, batched and at most
 *   once every few seconds; caret moves and typing never change it. Who was already there when
 *   the page connected is not announced.
 */

import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Editor } from '@tiptap/core';
import { relativePositionToAbsolutePosition, ySyncPluginKey } from '@tiptap/y-tiptap';
import { t, lang, onLanguageChange } from './i18n';

interface Person {
  key: string;
  name: string;
  color: string;
  self: boolean;
  /** The person's awareness client ids (one per tab), the most recently moved caret first. */
  clients: number[];
}

interface CursorState {
  cursor?: { anchor?: unknown; head?: unknown } | null;
  user?: { name?: unknown; color?: unknown; id?: unknown };
}

const COLOR_RE = /^#[0-9a-fA-F]{6}$/;
/** Joins and leaves are told at most this often. */
const ANNOUNCE_EVERY_MS = 4000;
/** Who arrives within this time after connecting was already there: not announced. */
const SETTLE_MS = 2500;

function people(awareness: Awareness, moved: Map<number, number>): Person[] {
  const byKey = new Map<string, Person>();
  const selfState = awareness.getLocalState() as CursorState | null;
  const selfKey = personKey(selfState?.user);
  for (const [clientId, state] of awareness.getStates()) {
    const user = (state as CursorState).user;
    if (!user || typeof user.name !== 'string' || !user.name.trim()) continue;
    const key = personKey(user);
    const self = clientId === awareness.clientID || key === selfKey;
    let p = byKey.get(key);
    if (!p) {
      p = {
        key,
        name: user.name.trim().slice(0, 100),
        color: typeof user.color === 'string' && COLOR_RE.test(user.color) ? user.color : '#4e5b6e',
        self,
        clients: [],
      };
      byKey.set(key, p);
    }
    p.self ||= self;
    p.clients.push(clientId);
  }
  const list = [...byKey.values()];
  for (const p of list) p.clients.sort((a, b) => (moved.get(b) ?? 0) - (moved.get(a) ?? 0));
  const collator = new Intl.Collator(lang());
  return list.sort((a, b) => Number(b.self) - Number(a.self) || collator.compare(a.name, b.name));
}

function personKey(user: CursorState['user']): string {
  if (!user) return '';
  if (typeof user.id === 'string' && user.id) return `id:${user.id}`;
  return `name:${typeof user.name === 'string' ? user.name.trim() : ''}`;
}

/** Where `clientId`'s caret is in `editor`'s document, or null (no caret, or not focused). */
function caretOf(editor: Editor, awareness: Awareness, clientId: number): number | null {
  const head = (awareness.getStates().get(clientId) as CursorState | undefined)?.cursor?.head;
  const ystate = ySyncPluginKey.getState(editor.state);
  if (!head || !ystate?.binding) return null;
  try {
    return relativePositionToAbsolutePosition(ystate.doc, ystate.type, Y.createRelativePositionFromJSON(head), ystate.binding.mapping);
  } catch {
    return null;
  }
}

/** Scrolls the window so that document position `pos` is in the middle third of the view. */
function reveal(editor: Editor, pos: number): void {
  let coords: { top: number; bottom: number };
  try {
    coords = editor.view.coordsAtPos(Math.min(pos, editor.state.doc.content.size));
  } catch {
    return;
  }
  const h = window.innerHeight;
  if (coords.top > h / 3 && coords.bottom < (2 * h) / 3) return;
  window.scrollBy({ top: coords.top - h / 2, behavior: 'instant' as ScrollBehavior });
}

export interface PresenceList {
  element: HTMLElement;
  attach(awareness: Awareness | null): void;
  destroy(): void;
}

export function createPresenceList(editor: () => Editor | null): PresenceList {
  const wrap = document.createElement('section');
  wrap.className = 'presence';
  const heading = document.createElement('h2');
  heading.className = 'visually-hidden';
  heading.id = 'presence-heading';
  const count = document.createElement('span');
  count.className = 'presence__count';
  const list = document.createElement('ul');
  list.className = 'presence__list';
  list.setAttribute('aria-labelledby', 'presence-heading');
  const news = document.createElement('p');
  news.className = 'presence__news visually-hidden';
  news.setAttribute('role', 'status');
  news.setAttribute('aria-live', 'polite');
  wrap.setAttribute('aria-labelledby', 'presence-heading');
  wrap.append(heading, count, list, news);
  let awareness: Awareness | null = null;
  let following: string | null = null;
  const moved = new Map<number, number>();
  let everyone: Person[] = [];

  // Joins and leaves, told in batches.
  let known = new Map<string, string>();
  let settledAt = 0;
  let lastTold = 0;
  let timer: number | undefined;
  const joined = new Map<string, string>();
  const left = new Map<string, string>();
  let followNote = '';
  const tell = () => {
    timer = undefined;
    const parts: string[] = [];
    if (joined.size) parts.push(t('presenceJoined', { names: [...joined.values()].join(', ') }));
    if (left.size) parts.push(t('presenceLeft', { names: [...left.values()].join(', ') }));
    if (followNote) parts.push(followNote);
    joined.clear();
    left.clear();
    followNote = '';
    if (parts.length === 0) return;
    lastTold = Date.now();
    news.textContent = parts.join(' ');
  };
  const schedule = () => {
    if (timer !== undefined) return;
    timer = window.setTimeout(tell, Math.max(0, lastTold + ANNOUNCE_EVERY_MS - Date.now()));
  };
  const noteChanges = () => {
    const now = new Map(everyone.filter((p) => !p.self).map((p) => [p.key, p.name]));
    if (Date.now() < settledAt) {
      known = now;
      return;
    }
    for (const [key, name] of now) {
      if (known.has(key)) continue;
      // Left and came back within one batch: nothing to tell.
      if (left.delete(key)) continue;
      joined.set(key, name);
    }
    for (const [key, name] of known) {
      if (now.has(key)) continue;
      if (joined.delete(key)) continue;
      left.set(key, name);
    }
    known = now;
    if (joined.size || left.size) schedule();
  };

  const follow = () => {
    const ed = editor();
    const p = everyone.find((x) => x.key === following);
    if (!ed || !awareness || !p) return;
    for (const c of p.clients) {
      const pos = caretOf(ed, awareness, c);
      if (pos !== null) return reveal(ed, pos);
    }
  };
  const setFollowing = (key: string | null, name = '') => {
    following = key;
    followNote = key ? t('presenceFollowing', { name }) : name ? t('presenceStopped', { name }) : '';
    tell();
    render();
    follow();
  };
  const jump = (p: Person) => {
    const ed = editor();
    if (!ed || !awareness) return;
    for (const c of p.clients) {
      const pos = caretOf(ed, awareness, c);
      if (pos === null) continue;
      ed.chain().focus().setTextSelection(pos).run();
      reveal(ed, pos);
      return;
    }
    followNote = t('presenceNoCaret', { name: p.name });
    tell();
  };

  const render = () => {
    // A keyboard user on a button keeps their place when the list is rebuilt.
    const focused = list.contains(document.activeElement) ? (document.activeElement as HTMLElement) : null;
    const refocus = focused ? `[data-key="${CSS.escape(focused.dataset.key ?? '')}"].${focused.className}` : '';
    heading.textContent = t('presenceLabel');
    count.textContent = t('presenceCount', { n: everyone.length });
    list.replaceChildren(
      ...everyone.map((p) => {
        const li = document.createElement('li');
        li.className = 'presence__person';
        li.dataset.clientId = String(p.clients[0]);
        const dot = document.createElement('span');
        dot.className = 'presence__avatar';
        dot.setAttribute('aria-hidden', 'true');
        dot.style.backgroundColor = p.color;
        dot.textContent = initials(p.name);
        const name = document.createElement('span');
        name.className = 'presence__name';
        if (p.self) {
          name.textContent = `${p.name} ${t('presenceYou')}`;
          li.append(dot, name);
          return li;
        }
        name.textContent = p.name;
        const toggle = document.createElement('button');
        toggle.type = 'button';
        toggle.className = 'presence__follow';
        toggle.dataset.key = p.key;
        toggle.setAttribute('aria-pressed', String(following === p.key));
        // The visible name first (WCAG 2.5.3), then what pressing does.
        toggle.setAttribute('aria-label', `${p.name}, ${t('presenceFollow')}`);
        // The initials stay outside the button: its visible text is exactly the name.
        toggle.append(name);
        toggle.addEventListener('click', () => setFollowing(following === p.key ? null : p.key, p.name));
        const jumpButton = document.createElement('button');
        jumpButton.type = 'button';
        jumpButton.className = 'presence__jump';
        jumpButton.dataset.key = p.key;
        jumpButton.setAttribute('aria-label', t('presenceJump', { name: p.name }));
        jumpButton.title = t('presenceJump', { name: p.name });
        const glyph = document.createElement('span');
        glyph.setAttribute('aria-hidden', 'true');
        glyph.textContent = '⌖';
        jumpButton.append(glyph);
        jumpButton.addEventListener('click', () => jump(p));
        li.append(dot, toggle, jumpButton);
        return li;
      }),
    );
    if (refocus) list.querySelector<HTMLElement>(refocus)?.focus();
  };

  const onChange = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
    const now = Date.now();
    for (const id of [...added, ...updated]) {
      const c = (awareness?.getStates().get(id) as CursorState | undefined)?.cursor;
      const before = cursors.get(id);
      const json = JSON.stringify(c ?? null);
      if (json !== before) {
        cursors.set(id, json);
        moved.set(id, now);
      }
    }
    for (const id of removed) {
      cursors.delete(id);
      moved.delete(id);
    }
    const signature = () => JSON.stringify(everyone.map((p) => [p.key, p.name, p.color, p.self, [...p.clients].sort()]));
    const before = signature();
    everyone = awareness ? people(awareness, moved) : [];
    if (following && !everyone.some((p) => p.key === following && !p.self)) {
      const name = [...known.entries()].find(([k]) => k === following)?.[1] ?? '';
      following = null;
      followNote = t('presenceStopped', { name });
      schedule();
    }
    noteChanges();
    // Caret moves alone do not rebuild the list (focus would be lost under a keyboard user).
    if (signature() !== before) render();
    if (following) follow();
  };
  const cursors = new Map<number, string>();
  const unsubscribe = onLanguageChange(render);
  render();

  return {
    element: wrap,
    attach(a) {
      awareness?.off('change', onChange);
      awareness = a;
      settledAt = Date.now() + SETTLE_MS;
      known = new Map();
      window.setTimeout(() => (news.dataset.settled = 'true'), SETTLE_MS);
      awareness?.on('change', onChange);
      onChange({ added: [], updated: [], removed: [] });
      render();
    },
    destroy() {
      awareness?.off('change', onChange);
      window.clearTimeout(timer);
      unsubscribe();
    },
  };
}

function initials(name: string): string {
  const parts = name.split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return letters.map((w) => Array.from(w)[0]?.toUpperCase() ?? '').join('');
}
