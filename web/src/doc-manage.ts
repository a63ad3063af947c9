/**
 * The "manage" dialog of one document in the list: rename, move to another owner, archive or
 * unarchive, delete, restore (administrators) and sharing. It offers what the document's `can`
 * (from the API) allows the person, re-reads it after every change, and tells refusals in words.
 */

import { t, setText, type Message, type MessageKey, type Vars } from './i18n';
import { $, fragment } from './ui';
import { FormProblems, fieldHtml, refusal, summaryHtml } from './forms';
import { openDialog } from './dialog';
import type { DocView, Owner, Person } from './api';
import { changeDoc, type DocChange, moveDoc, renameDoc } from './manage-api';
import { openShareDialog } from './share';

export interface ManageContext {
  person: Person;
  /** Owners the person may move documents to. */
  owners: Owner[];
  /** An owner's name ("City of X"), in the current language. */
  ownerName: (o: Owner) => Message;
  /** Called after every change, so the list shows it. */
  changed: () => void;
}

const CHANGES: { change: DocChange; label: 'docArchive' | 'docUnarchive' | 'docDelete' | 'docRestore'; done: 'docArchived' | 'docUnarchived' | 'docDeleted' | 'docRestored' }[] = [
  { change: 'archive', label: 'docArchive', done: 'docArchived' },
  { change: 'unarchive', label: 'docUnarchive', done: 'docUnarchived' },
  { change: 'delete', label: 'docDelete', done: 'docDeleted' },
  { change: 'restore', label: 'docRestore', done: 'docRestored' },
];

/** Which of the state changes fit the document as it is now. */
function offered(doc: DocView, change: DocChange): boolean {
  const deleted = Boolean(doc.deleted_at);
  const archived = Boolean(doc.archived_at);
  switch (change) {
    case 'archive':
      return !deleted && !archived && doc.can.includes('archive');
    case 'unarchive':
      return !deleted && archived && doc.can.includes('archive');
    case 'delete':
      return !deleted && doc.can.includes('delete');
    case 'restore':
      return deleted && doc.can.includes('restore');
  }
}

/** Whether the list offers the dialog for `doc` at all. */
export function manageable(doc: DocView): boolean {
  return (['rename', 'move', 'archive', 'share', 'delete', 'restore'] as const).some((a) => doc.can.includes(a));
}

export function openManageDialog(initial: DocView, ctx: ManageContext): void {
  let doc = initial;
  const dialog = openDialog(() => t('manageTitle', { title: doc.title }));
  dialog.body.append(
    fragment(`
      ${summaryHtml(3)}
      <p class="manage__status" role="status"></p>
      <form class="stack-form manage__rename" novalidate>
        ${fieldHtml('manage-title', 'newDocTitleLabel', '<input id="manage-title" type="text" maxlength="200" required>')}
        <button class="button button--secondary" type="submit" data-i18n="docRename"></button>
      </form>
      <form class="stack-form manage__move" novalidate>
        ${fieldHtml('manage-owner', 'newDocOwnerLabel', '<select id="manage-owner"></select>')}
        <button class="button button--secondary" type="submit" data-i18n="docMove"></button>
      </form>
      <div class="manage__buttons"></div>`),
  );
  const body = dialog.body;
  const status = $(body, '.manage__status');
  const title = $<HTMLInputElement>(body, '#manage-title');
  const owner = $<HTMLSelectElement>(body, '#manage-owner');
  const problems = new FormProblems($(body, '.problem-summary'), [title, owner]);
  const buttons = $(body, '.manage__buttons');

  const done = (next: DocView, message: MessageKey, vars: Vars) => {
    doc = next;
    problems.show([]);
    setText(status, message, vars);
    render();
    ctx.changed();
  };

  const render = () => {
    const heading = dialog.element.querySelector('.dialog__title');
    if (heading) heading.textContent = t('manageTitle', { title: doc.title });
    $(body, '.manage__rename').hidden = !doc.can.includes('rename') || Boolean(doc.deleted_at);
    title.value = doc.title;
    $(body, '.manage__move').hidden = !doc.can.includes('move') || Boolean(doc.deleted_at) || ctx.owners.length === 0;
    owner.replaceChildren(
      ...ctx.owners.map((o) => {
        const opt = document.createElement('option');
        opt.value = `${o.kind}:${o.id}`;
        setText(opt, ctx.ownerName(o).key, ctx.ownerName(o).vars);
        return opt;
      }),
    );
    owner.value = `${doc.owner.kind}:${doc.owner.id}`;
    const list: HTMLButtonElement[] = [];
    for (const c of CHANGES.filter((c) => offered(doc, c.change))) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `button button--secondary${c.change === 'delete' ? ' button--danger' : ''}`;
      setText(b, c.label);
      b.addEventListener('click', async () => {
        if (c.change === 'delete' && !window.confirm(t('docDeleteConfirm', { title: doc.title }))) return;
        try {
          done(await changeDoc(doc.id, c.change), c.done, { title: doc.title });
          $<HTMLButtonElement>(dialog.element, '.dialog__close').focus();
        } catch (e) {
          problems.show([refusal(e)]);
        }
      });
      list.push(b);
    }
    if (doc.can.includes('share') && !doc.deleted_at) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'button button--secondary';
      setText(b, 'shareOpen');
      b.addEventListener('click', () => {
        dialog.close();
        void openShareDialog(doc.id, doc.title, ctx.person);
      });
      list.push(b);
    }
    buttons.replaceChildren(...list);
  };
  render();

  $(body, '.manage__rename').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = title.value.trim();
    if (!text) {
      problems.show([{ field: title, text: () => t('newDocTitleEmpty') }]);
      return;
    }
    try {
      done(await renameDoc(doc.id, text), 'docRenamed', { title: text });
    } catch (e) {
      problems.show([refusal(e, title)]);
    }
  });
  $(body, '.manage__move').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const [kind, id] = owner.value.split(':');
    const target: Owner = { kind: kind as Owner['kind'], id: Number(id) };
    try {
      done(await moveDoc(doc.id, target), 'docMoved', { owner: ctx.ownerName(target) });
    } catch (e) {
      problems.show([refusal(e, owner)]);
    }
  });
}
