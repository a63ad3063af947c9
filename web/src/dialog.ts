/**
 * A modal dialog on the native `<dialog>` element: `showModal` keeps focus inside and makes the
 * rest of the page inert, Escape closes it, it is named by its heading (`aria-labelledby`), has
 * a "close" button, and on closing it is removed and focus goes back to what opened it.
 */

import { onLanguageChange, setText } from './i18n';
import { $, fragment } from './ui';

export interface Dialog {
  element: HTMLDialogElement;
  /** Where the dialog's content goes. */
  body: HTMLElement;
  close(): void;
}

let counter = 0;

/** Opens a dialog headed by `title()` (re-rendered after a language switch). */
export function openDialog(title: () => string, onClose?: () => void): Dialog {
  const id = `dialog-${++counter}`;
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const element = document.createElement('dialog');
  element.className = 'dialog';
  element.setAttribute('aria-labelledby', `${id}-title`);
  element.append(
    fragment(`
      <div class="dialog__head">
        <h2 class="dialog__title" id="${id}-title"></h2>
        <button class="button button--secondary dialog__close" type="button" data-i18n="close"></button>
      </div>
      <div class="dialog__body"></div>`),
  );
  const heading = $(element, '.dialog__title');
  const relabel = () => (heading.textContent = title());
  relabel();
  const off = onLanguageChange(relabel);
  const close = () => element.close();
  $(element, '.dialog__close').addEventListener('click', close);
  element.addEventListener('close', () => {
    off();
    element.remove();
    onClose?.();
    if (opener?.isConnected) opener.focus();
  });
  document.body.append(element);
  element.showModal();
  return { element, body: $(element, '.dialog__body'), close };
}

/** Copies `text`; says in `status` (a live region) whether it worked. */
export async function copyText(text: string, status: HTMLElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    setText(status, 'copied');
  } catch {
    setText(status, 'copyFailed');
  }
}
