/**
 * The document page at `/d/{doc}`: header (document name, connection status, people present,
 * language), the formatting toolbar and the collaborative Tiptap editor.
 *
 * The editor stays read-only until the first sync with the server has arrived, so nobody types
 * into a blank page that is then merged with the real content. A person whose token is a
 * viewer's or commenter's gets a read-only editor from the start; one whose write the server
 * refuses anyway gets a fresh read-only session, so the page shows the server's text rather than
 * the refused change.
 */

import { Editor } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { t, onLanguageChange, type MessageKey } from './i18n';
import { $, fragment, header } from './ui';
import { createToolbar } from './toolbar';
import { createPresenceList } from './presence';
import { type ConnectionState, SyncSession } from './sync';
import {
  type Access,
  adoptTokenFromUrl,
  canWrite,
  displayName,
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

export async function mountEditorPage(root: HTMLElement, doc: string): Promise<void> {
  document.title = `${doc} — Narada`;
  adoptTokenFromUrl(doc);
  let name = displayName();
  if (!name) {
    name = await askName(root, doc);
    setDisplayName(name);
  }
  rememberDocument(doc);

  root.replaceChildren(header(), fragment(`<main id="main" class="centered"><p data-i18n="loading"></p></main>`));
  const access = await obtainAccess(doc, name);
  if (typeof access === 'string') {
    const key: MessageKey = access === 'expired' ? 'linkExpired' : access === 'other-document' ? 'linkOtherDocument' : 'accessFailed';
    showFatal(root, key);
    return;
  }
  mountDocument(root, doc, name, access);
}

function showFatal(root: HTMLElement, key: MessageKey): void {
  root.replaceChildren(
    header(),
    fragment(`
      <main id="main" class="centered">
        <div class="notice notice--error" role="alert"><p data-i18n="${key}"></p></div>
        <p><a href="/" data-i18n="backHome"></a></p>
      </main>`),
  );
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

function mountDocument(root: HTMLElement, doc: string, name: string, access: Access): void {
  const toolbar = createToolbar();
  const presence = createPresenceList();
  const titleBlock = fragment(`
    <div class="doc-title">
      <span class="doc-title__label" data-i18n="documentLabel"></span>
      <h1 class="doc-title__name"></h1>
    </div>`);
  $(titleBlock, '.doc-title__name').textContent = doc;
  const top = header(titleBlock);
  top.insertBefore(presence.element, top.lastElementChild);
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
      <div id="editor" class="document__page" aria-busy="true"></div>
    </main>`);
  const toolbarWrap = document.createElement('div');
  toolbarWrap.className = 'toolbar-wrap';
  const toolbarRow = document.createElement('div');
  toolbarRow.className = 'toolbar-row';
  toolbarRow.append(toolbar.element, statusBlock);
  toolbarWrap.append(toolbarRow);
  root.replaceChildren(skip, top, toolbarWrap, body);

  const host = $(root, '#editor');
  const notice = $(root, '.notice');
  const badge = $(root, '.badge--readonly');
  const statusBox = $(root, '.status');
  const statusLive = $(root, '.status__live');
  const saveHint = $(root, '.status__save');
  const color = userColor();

  let session: SyncSession | null = null;
  let editor: Editor | null = null;
  let writable = canWrite(access.claims.role);
  let noticeKey: MessageKey | null = writable ? null : 'readOnlyRole';
  let noticeVars: Record<string, string> = {};
  let lastAnnounced = '';
  let savingTimer: number | undefined;

  const renderNotice = () => {
    notice.hidden = noticeKey === null;
    notice.textContent = noticeKey ? t(noticeKey, noticeVars) : '';
    notice.className = `notice${noticeKey && noticeKey !== 'readOnlyRole' ? ' notice--error' : ''}`;
    badge.hidden = writable;
    // Viewers get no formatting controls at all rather than a row of disabled ones.
    toolbar.element.hidden = !writable;
  };

  const renderStatus = () => {
    if (!session) return;
    const state = session.connectionState;
    const save = session.saveState;
    statusBox.dataset.state = state;
    // Only transitions are announced: the live region changes when the spoken text would.
    const stateText = t(STATUS_TEXT[state]);
    const hint = save === 'unsynced' && writable ? t('saveUnsynced') : '';
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
      onClosed: (reason) => {
        if (s !== session) return;
        noticeKey = reason === 'expired' ? 'linkExpired' : 'connectionClosed';
        noticeVars = { reason };
        renderNotice();
        editor?.setEditable(false);
        toolbar.update();
      },
    });
    session = s;
    const ed = new Editor({
      element: host,
      editable: false,
      extensions: [
        StarterKit.configure({
          // Collaboration brings Yjs undo, which only undoes this person's own changes.
          undoRedo: false,
          heading: { levels: [1, 2, 3] },
          link: { openOnClick: false },
          // Each client would append its own empty trailing paragraph on every change (an
          // appendTransaction), and concurrently those duplicate: not safe with collaboration.
          trailingNode: false,
        }),
        Collaboration.configure({ document: s.doc, field: 'default' }),
        CollaborationCaret.configure({ provider: s.provider, user: { name, color }, render: renderCaret }),
      ],
      editorProps: {
        attributes: {
          class: 'prose',
          role: 'textbox',
          'aria-multiline': 'true',
          'aria-label': t('editorLabel', { doc }),
          lang: 'pl',
          spellcheck: 'true',
        },
      },
      onTransaction: () => toolbar.update(),
      onSelectionUpdate: () => toolbar.update(),
    });
    editor = ed;
    toolbar.attach(ed);
    const onFirstSync = (synced: boolean) => {
      if (!synced || s !== session) return;
      s.provider.off('sync', onFirstSync);
      host.setAttribute('aria-busy', 'false');
      ed.setEditable(writable);
      ed.view.dom.setAttribute('aria-readonly', String(!writable));
      toolbar.update();
    };
    s.provider.on('sync', onFirstSync);
    presence.attach(s.provider.awareness);
    renderNotice();
    renderStatus();
    s.connect();
  };

  onLanguageChange(() => {
    lastAnnounced = '';
    renderNotice();
    renderStatus();
    editor?.view.dom.setAttribute('aria-label', t('editorLabel', { doc }));
  });
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
