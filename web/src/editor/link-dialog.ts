/**
 * The link dialog (toolbar "Link" or Ctrl+K): adds a link to the selected text, or edits,
 * removes or opens (in a new tab, `rel="noopener noreferrer"`) the link at the caret. With
 * nothing selected it also asks for the link's text. Only http, https and mailto addresses are
 * accepted; an address typed without a scheme gets `https://` (or `mailto:` for an email).
 */

import type { Editor } from '@tiptap/core';
import { t } from '../i18n';
import { $, fragment } from '../ui';
import { openDialog } from '../dialog';
import { FormProblems, fieldHtml, summaryHtml } from '../forms';
import { normalizeHref } from './extensions';

export function openLinkDialog(editor: Editor): void {
  if (!editor.isEditable) return;
  const existing = editor.isActive('link');
  if (existing) editor.chain().extendMarkRange('link').run();
  const { from, to, empty } = editor.state.selection;
  const currentHref = existing ? String(editor.getAttributes('link').href ?? '') : '';

  const dialog = openDialog(() => t(existing ? 'linkEditTitle' : 'linkAddTitle'));
  dialog.element.classList.add('link-dialog');
  dialog.body.append(
    fragment(`
      <form class="stack-form" novalidate>
        ${summaryHtml(3)}
        ${fieldHtml('link-url', 'linkUrlLabel', '<input id="link-url" type="text" inputmode="url" autocomplete="url" spellcheck="false" aria-describedby="link-url-hint">', 'linkUrlHint')}
        <div class="link-dialog__text" hidden>
          ${fieldHtml('link-text', 'linkTextLabel', '<input id="link-text" type="text">')}
        </div>
        <div class="manage__buttons">
          <button class="button button--primary" type="submit" data-i18n="linkSave"></button>
          <button class="button button--danger link-dialog__remove" type="button" data-i18n="linkRemove" hidden></button>
          <a class="button button--secondary link-dialog__open" target="_blank" rel="noopener noreferrer" hidden>
            <span data-i18n="linkOpen"></span><span class="visually-hidden" data-i18n="opensNewTab"></span>
          </a>
        </div>
      </form>`),
  );
  const form = $<HTMLFormElement>(dialog.body, 'form');
  const url = $<HTMLInputElement>(form, '#link-url');
  const text = $<HTMLInputElement>(form, '#link-text');
  const askText = empty && !existing;
  $(form, '.link-dialog__text').hidden = !askText;
  url.value = currentHref;
  const remove = $<HTMLButtonElement>(form, '.link-dialog__remove');
  const open = $<HTMLAnchorElement>(form, '.link-dialog__open');
  remove.hidden = !existing;
  if (existing && normalizeHref(currentHref)) {
    open.hidden = false;
    open.href = currentHref;
  }
  const problems = new FormProblems($(form, '.problem-summary'), askText ? [url, text] : [url]);
  url.focus();

  remove.addEventListener('click', () => {
    editor.chain().setTextSelection({ from, to }).extendMarkRange('link').unsetLink().setTextSelection(to).run();
    dialog.close();
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const href = normalizeHref(url.value);
    const label = text.value.trim();
    const found = [];
    if (!url.value.trim()) found.push({ field: url, text: () => t('linkUrlEmpty') });
    else if (!href) found.push({ field: url, text: () => t('linkUrlInvalid') });
    if (askText && !label) found.push({ field: text, text: () => t('linkTextEmpty') });
    problems.show(found);
    if (found.length > 0 || !href) return;
    const chain = editor.chain().setTextSelection({ from, to });
    if (askText) {
      chain.insertContent({ type: 'text', text: label, marks: [{ type: 'link', attrs: { href } }] }).run();
    } else {
      chain.extendMarkRange('link').setLink({ href }).setTextSelection(to).run();
    }
    dialog.close();
  });
}
