/**
 * Every string the interface shows, in Polish (the default) and English.
 *
 * Markup carries `data-i18n="key"` (text) and `data-i18n-attr="attr:key;attr:key"` (attributes);
 * `applyTranslations` fills them in, so switching language re-labels the page without rebuilding
 * it. Code that renders dynamic text (status, presence) subscribes with `onLanguageChange`.
 */

const pl = {
  appName: 'Narada',
  appTagline: 'Wspólna praca nad dokumentami Partnerskiej Inicjatywy Miast',
  skipToContent: 'Przejdź do treści dokumentu',
  languageSwitch: 'Język interfejsu',
  homeLinkSuffix: ' — strona główna',

  landingTitle: 'Otwórz dokument',
  landingIntro:
    'Podaj nazwę dokumentu (np. plan działań miasta) i swoje imię. Osoby, które otworzą ten sam dokument, zobaczą Twoje zmiany na bieżąco.',
  docNameLabel: 'Nazwa dokumentu',
  docNameHint: 'Litery, cyfry, kropki, podkreślenia i myślniki. Adres dokumentu: {path}',
  docNameEmpty: 'Podaj nazwę dokumentu.',
  displayNameLabel: 'Twoje imię i nazwisko',
  displayNameHint: 'Widoczne dla innych osób pracujących nad dokumentem.',
  displayNameEmpty: 'Podaj swoje imię, aby inni wiedzieli, kto pisze.',
  openDocument: 'Otwórz dokument',
  recentDocuments: 'Ostatnio otwierane',
  formErrors: 'Popraw błędy w formularzu.',

  namePromptTitle: 'Jak się nazywasz?',
  namePromptIntro: 'Twoje imię zobaczą inne osoby pracujące nad dokumentem „{doc}”.',
  continue: 'Dalej',

  documentLabel: 'Dokument',
  editorLabel: 'Treść dokumentu {doc}',
  loading: 'Wczytywanie dokumentu…',

  toolbarLabel: 'Formatowanie tekstu',
  paragraph: 'Zwykły tekst',
  heading1: 'Nagłówek 1',
  heading2: 'Nagłówek 2',
  heading3: 'Nagłówek 3',
  bold: 'Pogrubienie',
  italic: 'Kursywa',
  bulletList: 'Lista punktowana',
  orderedList: 'Lista numerowana',
  undo: 'Cofnij',
  redo: 'Ponów',

  statusLabel: 'Stan połączenia',
  statusConnecting: 'Łączenie…',
  statusConnected: 'Połączono',
  statusReconnecting: 'Ponowne łączenie…',
  statusOffline: 'Brak połączenia z siecią',
  statusClosed: 'Rozłączono',
  saveSaved: 'Zmiany zapisane',
  saveSaving: 'Zapisywanie…',
  saveUnsynced: 'Niewysłane zmiany: zostaną wysłane po odzyskaniu połączenia',

  presenceLabel: 'Osoby w dokumencie',
  presenceYou: '(Ty)',
  presenceCount: 'Obecnych: {n}',

  readOnly: 'Tylko do odczytu',
  readOnlyDenied:
    'Serwer nie przyjął Twoich zmian: masz dostęp tylko do odczytu. Dokument pokazuje teraz wersję z serwera.',
  readOnlyRole: 'Możesz czytać ten dokument, ale nie możesz go zmieniać.',

  accessFailed: 'Nie udało się uzyskać dostępu do dokumentu. Poproś administratora o link.',
  linkExpired: 'Ten link wygasł. Poproś administratora o nowy link.',
  linkOtherDocument: 'Ten link dotyczy innego dokumentu. Poproś administratora o właściwy link.',
  connectionClosed: 'Serwer zamknął połączenie ({reason}). Odśwież stronę lub poproś administratora o link.',
  unsavedLeave: 'Część zmian nie została jeszcze zapisana na serwerze.',
  backHome: 'Wróć do strony głównej',
} as const;

export type MessageKey = keyof typeof pl;

const en: Record<MessageKey, string> = {
  appName: 'Narada',
  appTagline: 'Working together on City Partnership Initiative documents',
  skipToContent: 'Skip to document text',
  languageSwitch: 'Interface language',
  homeLinkSuffix: ' — home',

  landingTitle: 'Open a document',
  landingIntro:
    'Enter a document name (for example your city’s action plan) and your name. Everyone who opens the same document sees your changes as you make them.',
  docNameLabel: 'Document name',
  docNameHint: 'Letters, digits, dots, underscores and hyphens. Document address: {path}',
  docNameEmpty: 'Enter a document name.',
  displayNameLabel: 'Your name',
  displayNameHint: 'Shown to the other people working on the document.',
  displayNameEmpty: 'Enter your name so that others know who is writing.',
  openDocument: 'Open document',
  recentDocuments: 'Recently opened',
  formErrors: 'Please correct the errors in the form.',

  namePromptTitle: 'What is your name?',
  namePromptIntro: 'The other people working on “{doc}” will see your name.',
  continue: 'Continue',

  documentLabel: 'Document',
  editorLabel: 'Text of document {doc}',
  loading: 'Loading the document…',

  toolbarLabel: 'Text formatting',
  paragraph: 'Normal text',
  heading1: 'Heading 1',
  heading2: 'Heading 2',
  heading3: 'Heading 3',
  bold: 'Bold',
  italic: 'Italic',
  bulletList: 'Bulleted list',
  orderedList: 'Numbered list',
  undo: 'Undo',
  redo: 'Redo',

  statusLabel: 'Connection status',
  statusConnecting: 'Connecting…',
  statusConnected: 'Connected',
  statusReconnecting: 'Reconnecting…',
  statusOffline: 'Offline',
  statusClosed: 'Disconnected',
  saveSaved: 'Changes saved',
  saveSaving: 'Saving…',
  saveUnsynced: 'Unsent changes: they will be sent when the connection is back',

  presenceLabel: 'People in the document',
  presenceYou: '(you)',
  presenceCount: 'Present: {n}',

  readOnly: 'Read-only',
  readOnlyDenied:
    'The server did not accept your changes: you have read-only access. The document now shows the server’s version.',
  readOnlyRole: 'You can read this document but not change it.',

  accessFailed: 'Could not get access to the document. Ask your administrator for a link.',
  linkExpired: 'This link has expired. Ask your administrator for a new link.',
  linkOtherDocument: 'This link is for another document. Ask your administrator for the right link.',
  connectionClosed: 'The server closed the connection ({reason}). Reload the page or ask your administrator for a link.',
  unsavedLeave: 'Some changes have not been saved on the server yet.',
  backHome: 'Back to the home page',
};

export type Lang = 'pl' | 'en';
export const LANGS: readonly Lang[] = ['pl', 'en'];

const catalogs: Record<Lang, Record<MessageKey, string>> = { pl, en };
const LANG_KEY = 'narada.lang';

function storedLang(): Lang {
  try {
    const v = localStorage.getItem(LANG_KEY);
    if (v === 'pl' || v === 'en') return v;
  } catch {
    // Storage can be disabled (private mode, policy); Polish is the default then.
  }
  return 'pl';
}

let current: Lang = storedLang();
const listeners = new Set<() => void>();

export function lang(): Lang {
  return current;
}

/** The message for `key` in the current language, with `{name}` placeholders filled in. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  return catalogs[current][key].replace(/\{(\w+)\}/g, (m, name: string) =>
    name in vars ? String(vars[name]) : m,
  );
}

export function setLang(next: Lang): void {
  if (next === current) return;
  current = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // Not remembered across visits; the switch still works for this page.
  }
  document.documentElement.lang = next;
  applyTranslations(document);
  for (const f of listeners) f();
}

/** Calls `f` after every language switch; returns the unsubscribe function. */
export function onLanguageChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** Fills `data-i18n` text and `data-i18n-attr` attributes below `root`. */
export function applyTranslations(root: ParentNode): void {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n as MessageKey);
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-attr]')) {
    for (const pair of (el.dataset.i18nAttr ?? '').split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim() as MessageKey));
    }
  }
}
