/**
 * The list of people present, from Yjs awareness. Names come from other clients, so they are
 * only ever set as text, trimmed and length-limited, and colours are accepted only as #rrggbb.
 */

import type { Awareness } from 'y-protocols/awareness';
import { t, lang, onLanguageChange } from './i18n';

interface Person {
  clientId: number;
  name: string;
  color: string;
  self: boolean;
}

const COLOR_RE = /^#[0-9a-fA-F]{6}$/;

function people(awareness: Awareness): Person[] {
  const list: Person[] = [];
  for (const [clientId, state] of awareness.getStates()) {
    const user = (state as { user?: { name?: unknown; color?: unknown } }).user;
    if (!user || typeof user.name !== 'string' || !user.name.trim()) continue;
    list.push({
      clientId,
      name: user.name.trim().slice(0, 100),
      color: typeof user.color === 'string' && COLOR_RE.test(user.color) ? user.color : '#4e5b6e',
      self: clientId === awareness.clientID,
    });
  }
  const collator = new Intl.Collator(lang());
  return list.sort((a, b) => Number(b.self) - Number(a.self) || collator.compare(a.name, b.name));
}

export interface PresenceList {
  element: HTMLElement;
  attach(awareness: Awareness | null): void;
  destroy(): void;
}

export function createPresenceList(): PresenceList {
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
  wrap.setAttribute('aria-labelledby', 'presence-heading');
  wrap.append(heading, count, list);
  let awareness: Awareness | null = null;

  const render = () => {
    heading.textContent = t('presenceLabel');
    const everyone = awareness ? people(awareness) : [];
    count.textContent = t('presenceCount', { n: everyone.length });
    list.replaceChildren(
      ...everyone.map((p) => {
        const li = document.createElement('li');
        li.className = 'presence__person';
        li.dataset.clientId = String(p.clientId);
        const dot = document.createElement('span');
        dot.className = 'presence__avatar';
        dot.setAttribute('aria-hidden', 'true');
        dot.style.backgroundColor = p.color;
        dot.textContent = initials(p.name);
        const name = document.createElement('span');
        name.className = 'presence__name';
        name.textContent = p.self ? `${p.name} ${t('presenceYou')}` : p.name;
        li.append(dot, name);
        return li;
      }),
    );
  };
  const unsubscribe = onLanguageChange(render);
  render();

  return {
    element: wrap,
    attach(a) {
      awareness?.off('change', render);
      awareness = a;
      awareness?.on('change', render);
      render();
    },
    destroy() {
      awareness?.off('change', render);
      unsubscribe();
    },
  };
}

function initials(name: string): string {
  const parts = name.split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return letters.map((w) => Array.from(w)[0]?.toUpperCase() ?? '').join('');
}
