/**
 * The keyboard shortcuts dialog (Ctrl+/ or the toolbar's "keyboard shortcuts"): every toolbar
 * control's shortcut, taken from the same tool lists the toolbars are built from, plus the keys
 * that have no button (moving between table cells, replace). One table per toolbar, each with a
 * caption and column headers.
 */

import { type MessageKey, t, onLanguageChange } from '../i18n';
import { openDialog } from '../dialog';
import type { Tool } from './tools';

export interface ShortcutGroup {
  caption: MessageKey;
  tools: Tool[];
  /** Keys without a control of their own: [label, shortcut]. */
  extra?: [MessageKey, string][];
}

export function openShortcutsDialog(groups: ShortcutGroup[]): void {
  const dialog = openDialog(() => t('shortcutsTitle'));
  dialog.element.classList.add('shortcuts-dialog');
  const render = () => {
    dialog.body.replaceChildren(
      ...groups.map((g) => {
        const table = document.createElement('table');
        table.className = 'shortcuts';
        const caption = table.createCaption();
        caption.textContent = t(g.caption);
        const head = table.createTHead().insertRow();
        for (const key of ['shortcutsAction', 'shortcutsKeys'] as const) {
          const th = document.createElement('th');
          th.scope = 'col';
          th.textContent = t(key);
          head.append(th);
        }
        const body = table.createTBody();
        const rows: [MessageKey, string][] = [
          ...g.tools.filter((tool) => tool.shortcut).map((tool): [MessageKey, string] => [tool.label, tool.shortcut!]),
          ...(g.extra ?? []),
        ];
        for (const [label, shortcut] of rows) {
          const tr = body.insertRow();
          const th = document.createElement('th');
          th.scope = 'row';
          th.textContent = t(label);
          const td = tr.insertCell();
          for (const [i, key] of shortcut.split('+').entries()) {
            if (i > 0) td.append('+');
            const kbd = document.createElement('kbd');
            kbd.textContent = key;
            td.append(kbd);
          }
          tr.prepend(th);
        }
        return table;
      }),
    );
  };
  render();
  const off = onLanguageChange(render);
  dialog.element.addEventListener('close', off);
}
