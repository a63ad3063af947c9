/**
 * The document page at `/d/{doc}`: header (document name, connection status, people present,
 * language), the formatting toolbar and the collaborative Tiptap editor.
 *
 * The editor stays read-only until the first sync with the server has arrived, so nobody types
 * into a blank page that is then merged with the real content. A person whose token is a
 * viewer's or commenter's gets a read-only editor from the start; one whose write the server
 * refuses anyway gets a fresh read-only session, so the page shows the server's text rather than
 * the refused change.
 *
 * Signed in, the page names the document by its title and the person by their account name, and
 * follows their access live: a renewed token with another role restarts the editor in that role
 * (with a notice), and when access is withdrawn or the session ends the text is taken off the
 * page and the page says so.
 */

import { Editor } from '@tiptap/core';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { t, closeReason, onLanguageChange, type MessageKey, type Vars } from './i18n';
import { $, fragment, header } from './ui';
import { createToolbar } from './toolbar';
import { formattingTools, tableTools } from './editor/tools';
import { contentExtensions } from './editor/extensions';
import { openLinkDialog } from './editor/link-dialog';
import { openShortcutsDialog } from './editor/shortcuts-dialog';
import { createContext } from './editor/context';
import { mountOutline } from './editor/outline';
import { mountFind } from './editor/find';
import { mountPrintHeader, mountStats } from './editor/stats';
import { LocalCopy, localCopyName } from './editor/local-copy';
import './editor/editor.css';
import { createPresenceList } from './presence';
import { type ConnectionState, SyncSession } from './sync';
import { accountMenu } from './account';
import { openShareDialog } from './share';
import { devTokensOffered, getDoc, currentPerson, type Person } from './api';
import {
  type Access,
  type AccessError,
  adoptTokenFromUrl,
  canWrite,
  displayName,
  hasLink,
  obtainAccess,
  readClaims,
  rememberDocument,
  setDisplayName,
  userColor,
} from './session';

const STATUS_TEXT: Record<ConnectionState, MessageKey> = {
  connecting: 'statusConnecting',
  connected: 'statusConnected',
  reconnecting: 'statusReconnecting',
  offline: 'statusOffline',
  closed: 'statusClosed',
};

function syncUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sync`;
}

const ACCESS_ERROR_TEXT: Record<AccessError, MessageKey> = {
  failed: 'accessFailed',
  expired: 'linkExpired',
  'other-document': 'linkOtherDocument',
  'no-access': 'noAccess',
  'signed-out': 'sessionEnded',
};

/** Notices that tell how things are rather than that something went wrong. */
const INFO_NOTICES: ReadonlySet<MessageKey> = new Set(['readOnlyRole', 'roleNowWritable']);

function signInPath(doc: string): string {
  return `/login?next=${encodeURIComponent(`/d/${encodeURIComponent(doc)}`)}`;
}

export async function mountEditorPage(root: HTMLElement, doc: string): Promise<void> {
  document.title = `${doc} — Narada`;
  adoptTokenFromUrl(doc);
  const person = await currentPerson().catch(() => null);
  if (!person && !hasLink(doc) && !devTokensOffered()) {
    // Nothing to open the document with but signing in.
    location.replace(signInPath(doc));
    return;
  }
  let name = person?.name ?? displayName();
  if (!name) {
    name = await askName(root, doc);
    setDisplayName(name);
  }
  rememberDocument(doc);

  root.replaceChildren(header(), fragment(`<main id="main" class="centered"><p data-i18n="loading"></p></main>`));
  const access = await obtainAccess(doc, name, person !== null);
  if (typeof access === 'string') {
    showFatal(root, ACCESS_ERROR_TEXT[access], doc, person);
    return;
  }
  let title = doc;
  let shareable = false;
  if (access.source === 'session') {
    const view = await getDoc(doc).catch(() => null);
    title = view?.title ?? doc;
    shareable = view?.can.includes('share') ?? false;
    document.title = `${title} — Narada`;
  }
  mountDocument(root, doc, title, name, access, person);
  if (person && shareable) addShareButton(root, doc, title, person);
}

/** A "share" button in the header, for those who may share the document. */
function addShareButton(root: HTMLElement, doc: string, title: string, person: Person): void {
  const button = fragment(`<button class="button button--secondary button--small doc-share" type="button" data-i18n="shareOpen"></button>`);
  $(button, 'button').addEventListener('click', () => void openShareDialog(doc, title, person));
  const top = $(root, '.topbar');
  top.insertBefore(button, top.querySelector('.account'));
}

/** Replaces the page with a message; signed out, it offers signing in (and back to `doc`). */
function showFatal(root: HTMLElement, key: MessageKey, doc: string, person: Person | null): void {
  root.replaceChildren(
    header(...(person ? [accountMenu(person)] : [])),
    fragment(`
      <main id="main" class="centered">
        <div class="notice notice--error" role="alert"><p data-i18n="${key}"></p></div>
        <ul class="link-list">
          <li class="link-list__signin" hidden><a data-i18n="signInLink"></a></li>
          <li><a href="/" data-i18n="${person ? 'backToList' : 'backHome'}"></a></li>
        </ul>
      </main>`),
  );
  const signIn = $(root, '.link-list__signin');
  signIn.hidden = person !== null && key !== 'sessionEnded';
  $<HTMLAnchorElement>(signIn, 'a').href = signInPath(doc);
}

/** A one-field form asking for a display name, for people who arrive with a link. */
function askName(root: HTMLElement, doc: string): Promise<string> {
  const main = fragment(`
    <main id="main" class="landing">
      <h1 data-i18n="namePromptTitle"></h1>
      <p class="name-prompt__intro"></p>
      <form class="landing__form" novalidate>
        <div class="field">
          <label for="display-name" data-i18n="displayNameLabel"></label>
          <p class="field__error" id="display-name-error" role="alert" hidden></p>
          <input id="display-name" type="text" autocomplete="name" maxlength="100" required>
        </div>
        <button class="button button--primary" type="submit" data-i18n="continue"></button>
      </form>
    </main>`);
  root.replaceChildren(header(), main);
  const intro = $(root, '.name-prompt__intro');
  const input = $<HTMLInputElement>(root, '#display-name');
  const error = $(root, '#display-name-error');
  const relabel = () => (intro.textContent = t('namePromptIntro', { doc }));
  relabel();
  const off = onLanguageChange(relabel);
  input.value = readClaims(sessionToken(doc)).sub ?? '';
  input.focus();
  return new Promise((resolve) => {
    $<HTMLFormElement>(root, 'form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const v = input.value.trim();
      if (!v) {
        error.hidden = false;
        error.textContent = t('displayNameEmpty');
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', error.id);
        return;
      }
      off();
      resolve(v);
    });
  });
}

/**
 * Another person's caret with their name. It is decoration, not text: hidden from assistive
 * technology (the presence list names everyone), and the name is set as text, never as markup.
 */
function renderCaret(user: Record<string, unknown>): HTMLElement {
  const color = typeof user.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(user.color) ? user.color : '#4e5b6e';
  const caret = document.createElement('span');
  caret.className = 'collaboration-carets__caret';
  caret.setAttribute('aria-hidden', 'true');
  caret.style.borderColor = color;
  const label = document.createElement('span');
  label.className = 'collaboration-carets__label';
  label.style.backgroundColor = color;
  label.textContent = typeof user.name === 'string' ? user.name.slice(0, 100) : '';
  caret.append(label);
  return caret;
}

function sessionToken(doc: string): string {
  try {
    return JSON.parse(sessionStorage.getItem(`narada.token.${doc}`) ?? '{}').token ?? '';
  } catch {
    return '';
  }
}

function mountDocument(
  root: HTMLElement,
  doc: string,
  title: string,
  name: string,
  access: Access,
  person: Person | null,
): void {
  let editor: Editor | null = null;
  const ctx = createContext(() => editor, () => writable && !!editor?.isEditable);
  const find = mountFind(ctx);
  const actions = {
    openLink: () => editor && openLinkDialog(editor),
    openFind: (replace: boolean) => find.open(replace),
    openShortcuts: () =>
      openShortcutsDialog([
        { caption: 'shortcutsFormatting', tools: mainTools, extra: [['shortcutsOpen', 'Ctrl+/']] },
        { caption: 'tableToolbarLabel', tools: cellTools, extra: [['tableNextCell', 'Tab'], ['tablePreviousCell', 'Shift+Tab']] },
        {
          caption: 'findOpen',
          tools: [],
          extra: [['findLabel', 'Ctrl+F'], ['replaceShortcut', 'Ctrl+H'], ['findNext', 'Enter'], ['findPrevious', 'Shift+Enter'], ['findClose', 'Escape']],
        },
      ]),
  };
  const mainTools = formattingTools(actions);
  const cellTools = tableTools();
  const toolbar = createToolbar(mainTools, 'toolbarLabel');
  const tableToolbar = createToolbar(cellTools, 'tableToolbarLabel', 'toolbar toolbar--table');
  const updateToolbars = () => {
    toolbar.update();
    tableToolbar.update();
    // Table operations show only where they apply (their shortcuts work the same way).
    tableToolbar.element.hidden = !writable || !editor?.isEditable || !editor.isActive('table');
    ctx.changed();
  };
  const presence = createPresenceList(() => editor);
  const titleBlock = fragment(`
    <div class="doc-title">
      <span class="doc-title__label" data-i18n="documentLabel"></span>
      <h1 class="doc-title__name"></h1>
    </div>`);
  $(titleBlock, '.doc-title__name').textContent = title;
  const top = header(titleBlock);
  top.insertBefore(presence.element, top.lastElementChild);
  if (person) top.insertBefore(accountMenu(person), top.lastElementChild);
  const skip = fragment(`<a class="skip-link" href="#editor" data-i18n="skipToContent"></a>`);
  const statusBlock = fragment(`
    <span class="badge badge--readonly" hidden data-i18n="readOnly"></span>
    <div class="status" data-state="connecting">
      <span class="status__dot" aria-hidden="true"></span>
      <span class="status__live" role="status" aria-live="polite" aria-atomic="true"></span>
      <span class="status__save" data-state="saved"></span>
    </div>`);
  const body = fragment(`
    <div class="notice" role="alert" hidden></div>
    <main id="main" class="document">
      <div class="document__layout">
        <div class="document__column">
          <div id="editor" class="document__page" aria-busy="true"></div>
        </div>
      </div>
    </main>`);
  const outline = mountOutline(ctx);
  const stats = mountStats(ctx);
  const printHeader = mountPrintHeader(title);
  // After the text in the page's order (and to its right on wide screens): from the text,
  // Shift+Tab goes back to the toolbar, Tab on to the outline.
  $(body, '.document__layout').append(outline.element);
  $(body, '.document__column').prepend(printHeader.element);
  $(body, '.document__column').append(stats.element);
  const toolbarWrap = document.createElement('div');
  toolbarWrap.className = 'toolbar-wrap';
  const toolbarRow = document.createElement('div');
  toolbarRow.className = 'toolbar-row';
  toolbarRow.append(toolbar.element, statusBlock);
  toolbarWrap.append(toolbarRow, tableToolbar.element, find.element);
  root.replaceChildren(skip, top, toolbarWrap, body);

  const host = $(root, '#editor');
  const notice = $(root, '.notice');
  const badge = $(root, '.badge--readonly');
  const statusBox = $(root, '.status');
  const statusLive = $(root, '.status__live');
  const saveHint = $(root, '.status__save');
  const color = userColor();

  let session: SyncSession | null = null;
  let copy: LocalCopy | null = null;
  /** What the copy was last told about unacknowledged changes (null: nothing yet). */
  let copyPending: boolean | null = null;
  const copyOwner = person ? `p${person.id}` : `guest-${access.claims.sub ?? name}`;
  let writable = canWrite(access.claims.role);
  let noticeKey: MessageKey | null = writable ? null : 'readOnlyRole';
  let noticeVars: Vars = {};
  let lastAnnounced = '';
  let savingTimer: number | undefined;

  const renderNotice = () => {
    notice.hidden = noticeKey === null;
    notice.textContent = noticeKey ? t(noticeKey, noticeVars) : '';
    notice.className = `notice${noticeKey && !INFO_NOTICES.has(noticeKey) ? ' notice--error' : ''}`;
    badge.hidden = writable;
    // Viewers get no formatting controls at all rather than a row of disabled ones.
    toolbar.element.hidden = !writable;
    updateToolbars();
  };

  const renderStatus = () => {
    if (!session) return;
    const state = session.connectionState;
    const save = session.saveState;
    statusBox.dataset.state = state;
    // Only transitions are announced: the live region changes when the spoken text would.
    const stateText = t(STATUS_TEXT[state]);
    // With a copy on this device the changes are safe from a closed tab, and the page says so.
    const hint = save === 'unsynced' && writable ? t(copy?.storedLocally ? 'saveLocal' : 'saveUnsynced') : '';
    // The copy remembers whether it holds what the server has not acknowledged yet.
    const pending = save !== 'saved';
    if (copy && pending !== copyPending) {
      copyPending = pending;
      copy.setPending(pending);
    }
    if (stateText + hint !== lastAnnounced) {
      const hintEl = document.createElement('span');
      hintEl.className = 'status__hint';
      hintEl.textContent = hint;
      statusLive.replaceChildren(stateText, hintEl);
      lastAnnounced = stateText + hint;
    }
    // The saved/saving hint is visual only (announcing it on every keystroke would be noise);
    // "saving" shows only when it lasts, so ordinary typing does not flicker.
    const shown = !writable || state !== 'connected' ? '' : save;
    if (shown === 'saving') {
      if (saveHint.dataset.state !== 'saving' && savingTimer === undefined) {
        savingTimer = window.setTimeout(() => {
          savingTimer = undefined;
          if (session?.saveState === 'saving') setSaveHint('saving');
        }, 700);
      }
    } else {
      window.clearTimeout(savingTimer);
      savingTimer = undefined;
      setSaveHint(shown);
    }
  };
  const setSaveHint = (state: string) => {
    saveHint.dataset.state = state;
    saveHint.textContent = state === 'saved' ? t('saveSaved') : state === 'saving' ? t('saveSaving') : '';
  };

  const start = (canEdit: boolean, acc: Access) => {
    editor?.destroy();
    session?.destroy();
    void copy?.destroy();
    copy = null;
    writable = canEdit;
    host.setAttribute('aria-busy', 'true');
    const s = new SyncSession(syncUrl(), doc, acc, {
      onChange: renderStatus,
      onDenied: () => {
        if (s !== session || !writable) return;
        noticeKey = 'readOnlyDenied';
        renderNotice();
        start(false, acc);
      },
      onRoleChanged: (fresh) => {
        if (s !== session) return;
        noticeKey = canWrite(fresh.claims.role) ? 'roleNowWritable' : 'roleNowReadOnly';
        renderNotice();
        start(canWrite(fresh.claims.role), fresh);
      },
      onLiveRole: (_role, canEditNow) => {
        // The server already applies the new role to this socket; follow it in place, with
        // the text, the caret and the connection kept.
        if (s !== session || canEditNow === writable) return;
        writable = canEditNow;
        noticeKey = writable ? 'roleNowWritable' : 'roleNowReadOnly';
        renderNotice();
        editor?.setEditable(writable);
        editor?.view.dom.setAttribute('aria-readonly', String(!writable));
        updateToolbars();
        renderStatus();
      },
      onClosed: (reason) => {
        if (s !== session) return;
        if (reason === 'no-access' || reason === 'signed-out') {
          // The text is no longer theirs to see: take it off the page.
          editor?.destroy();
          s.destroy();
          // A document no longer theirs leaves this device too.
          if (reason === 'no-access') void copy?.remove();
          else void copy?.destroy();
          copy = null;
          editor = null;
          session = null;
          presence.destroy();
          for (const panel of [outline, stats, find, printHeader]) panel.destroy();
          document.removeEventListener('keydown', onKey);
          showFatal(root, reason === 'no-access' ? 'accessRevoked' : 'sessionEnded', doc, reason === 'no-access' ? person : null);
          return;
        }
        noticeKey = reason === 'expired' ? 'linkExpired' : 'connectionClosed';
        noticeVars = { reason: closeReason(Number(reason.replace(/^close:/, ''))) };
        renderNotice();
        editor?.setEditable(false);
        updateToolbars();
      },
    });
    session = s;
    const ed = new Editor({
      element: host,
      editable: false,
      extensions: [
        ...contentExtensions(actions),
        Collaboration.configure({ document: s.doc, field: 'default' }),
        CollaborationCaret.configure({ provider: s.provider, user: { name, color, id: copyOwner }, render: renderCaret }),
      ],
      editorProps: {
        attributes: {
          class: 'prose',
          role: 'textbox',
          'aria-multiline': 'true',
          'aria-label': t('editorLabel', { doc: title }),
          lang: 'pl',
          spellcheck: 'true',
        },
      },
      onTransaction: updateToolbars,
      onSelectionUpdate: updateToolbars,
    });
    editor = ed;
    toolbar.attach(ed);
    tableToolbar.attach(ed);
    const onFirstSync = (synced: boolean) => {
      if (!synced || s !== session) return;
      s.provider.off('sync', onFirstSync);
      host.setAttribute('aria-busy', 'false');
      ed.setEditable(writable);
      ed.view.dom.setAttribute('aria-readonly', String(!writable));
      updateToolbars();
    };
    s.provider.on('sync', onFirstSync);
    presence.attach(s.provider.awareness);
    renderNotice();
    if (canEdit) {
      const c = new LocalCopy(localCopyName(copyOwner, doc), s.doc, renderStatus);
      copy = c;
      copyPending = null;
      s.quietOrigins.add(c.persistence);
      // Connect once the stored copy is in the doc, so the first exchange with the server
      // carries whatever it holds that the server lacks.
      void c.loaded
        .then(() => c.pending())
        .then((pending) => {
          if (s !== session) return;
          if (pending) s.markUnsent();
          renderStatus();
          s.connect();
        });
    } else {
      renderStatus();
      s.connect();
    }
  };

  onLanguageChange(() => {
    lastAnnounced = '';
    renderNotice();
    renderStatus();
    editor?.view.dom.setAttribute('aria-label', t('editorLabel', { doc: title }));
  });
  // Page-wide keys: they work wherever focus is on the page, not only in the text.
  const onKey = (ev: KeyboardEvent) => {
    if (!(ev.ctrlKey || ev.metaKey) || ev.altKey || !editor) return;
    if (document.querySelector('dialog[open]')) return;
    if (ev.key === '/') {
      ev.preventDefault();
      actions.openShortcuts();
    } else if ((ev.key === 'f' || ev.key === 'h') && !ev.shiftKey) {
      // The browser's own find cannot see text in other people's changes as a match count
      // does; replace has no browser equivalent.
      ev.preventDefault();
      find.open(ev.key === 'h');
    }
  };
  document.addEventListener('keydown', onKey);
  $(root, '.skip-link').addEventListener('click', (ev) => {
    ev.preventDefault();
    editor?.commands.focus();
  });
  window.addEventListener('beforeunload', (ev) => {
    if (session && writable && session.saveState !== 'saved') {
      ev.preventDefault();
      ev.returnValue = t('unsavedLeave');
    }
  });

  start(writable, access);
  // Test and debugging hook: the page's live objects, never needed by the UI itself.
  (window as unknown as { narada: unknown }).narada = {
    get editor() {
      return editor;
    },
    get session() {
      return session;
    },
  };
}
