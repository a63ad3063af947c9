/**
 * Every string the interface shows, in Polish (the default) and English.
 *
 * Markup carries `data-i18n="key"` (text) and `data-i18n-attr="attr:key;attr:key"` (attributes),
 * with `data-i18n-vars` (JSON) for placeholders; `applyTranslations` fills them in, so switching
 * language re-labels the page without rebuilding it. Code that writes a message sets it with
 * `setText`/`setAttrText` (which leave those marks) and the tab title with `setTitle`; what is
 * built from data (tables, lists) re-renders itself on `onLanguageChange`.
 */

const pl = {
  appName: 'Narada',
  appTagline: 'Wspólna praca nad dokumentami Partnerskiej Inicjatywy Miast',
  skipToContent: 'Przejdź do treści dokumentu',
  languageSwitch: 'Język interfejsu',
  homeLinkSuffix: ' — strona główna',

  landingTitle: 'Otwórz dokument',
  devAccessIntro:
    'Ten serwer działa w trybie deweloperskim: możesz otworzyć dokument bez logowania. Podaj nazwę dokumentu i swoje imię. Osoby, które otworzą ten sam dokument, zobaczą Twoje zmiany na bieżąco.',
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

  // The editor's content controls, dialogs and panels (src/editor/).
  blockquote: 'Cytat',
  underline: 'Podkreślenie',
  strike: 'Przekreślenie',
  link: 'Link',
  alignLeft: 'Wyrównaj do lewej',
  alignCenter: 'Wyśrodkuj',
  alignRight: 'Wyrównaj do prawej',
  alignJustify: 'Wyjustuj',
  horizontalRule: 'Linia pozioma',
  insertTable: 'Wstaw tabelę',
  tableToolbarLabel: 'Tabela',
  tableAddRowBefore: 'Dodaj wiersz powyżej',
  tableAddRowAfter: 'Dodaj wiersz poniżej',
  tableDeleteRow: 'Usuń wiersz',
  tableAddColumnBefore: 'Dodaj kolumnę z lewej',
  tableAddColumnAfter: 'Dodaj kolumnę z prawej',
  tableDeleteColumn: 'Usuń kolumnę',
  tableHeaderRow: 'Wiersz nagłówka',
  tableMergeCells: 'Scal komórki',
  tableSplitCell: 'Podziel komórkę',
  tableDelete: 'Usuń tabelę',
  tableNextCell: 'Następna komórka tabeli',
  tablePreviousCell: 'Poprzednia komórka tabeli',
  shortcutsOpen: 'Skróty klawiszowe',
  shortcutsTitle: 'Skróty klawiszowe',
  shortcutsFormatting: 'Formatowanie',
  shortcutsAction: 'Działanie',
  shortcutsKeys: 'Skrót',
  linkAddTitle: 'Dodaj link',
  linkEditTitle: 'Edytuj link',
  linkUrlLabel: 'Adres',
  linkUrlHint: 'Adres strony (http:// lub https://) albo adres e-mail (mailto:).',
  linkTextLabel: 'Tekst linku',
  linkSave: 'Zapisz link',
  linkRemove: 'Usuń link',
  linkOpen: 'Otwórz link',
  opensNewTab: ' (w nowej karcie)',
  linkUrlEmpty: 'Podaj adres linku.',
  linkUrlInvalid: 'Link może prowadzić tylko do strony (http:// lub https://) albo adresu e-mail (mailto:).',
  linkTextEmpty: 'Podaj tekst linku.',
  outlineTitle: 'Spis treści',
  outlineEmpty: 'Dokument nie ma jeszcze nagłówków.',
  outlineUntitled: '(nagłówek bez tekstu)',
  findOpen: 'Znajdź i zamień',
  findLabel: 'Znajdź',
  replaceLabel: 'Zamień na',
  replaceShortcut: 'Zamień',
  findCase: 'Uwzględniaj wielkość liter',
  findNext: 'Następny',
  findPrevious: 'Poprzedni',
  replaceOne: 'Zamień',
  replaceAll: 'Zamień wszystkie',
  findClose: 'Zamknij wyszukiwanie',
  findCount: 'Wynik {i} z {n}',
  findNone: 'Brak wyników',
  findReplaced: 'Zamieniono: {n}.',
  statsWords: 'Słowa: {n}',
  statsChars: 'Znaki: {n}',
  printedOn: 'Wydrukowano {date}',

  statusLabel: 'Stan połączenia',
  statusConnecting: 'Łączenie…',
  statusConnected: 'Połączono',
  statusReconnecting: 'Ponowne łączenie…',
  statusOffline: 'Brak połączenia z siecią',
  statusClosed: 'Rozłączono',
  saveSaved: 'Zmiany zapisane',
  saveSaving: 'Zapisywanie…',
  saveUnsynced: 'Niewysłane zmiany: zostaną wysłane po odzyskaniu połączenia',
  saveLocal: 'Zmiany zapisane na tym urządzeniu, czekają na wysłanie',

  presenceLabel: 'Osoby w dokumencie',
  presenceYou: '(Ty)',
  presenceCount: 'Obecnych: {n}',
  presenceJoined: 'Dołączenie do dokumentu: {names}.',
  presenceLeft: 'Wyjście z dokumentu: {names}.',
  presenceFollow: 'śledź kursor',
  presenceFollowing: 'Śledzisz kursor: {name}.',
  presenceStopped: 'Koniec śledzenia kursora: {name}.',
  presenceJump: 'Przejdź do kursora: {name}',
  presenceNoCaret: '{name} nie ma teraz kursora w tekście.',

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
  notFoundTitle: 'Nie znaleziono strony',
  notFoundText: 'Pod tym adresem nie ma żadnej strony Narady. Sprawdź, czy adres jest poprawny, albo zacznij od strony głównej.',
  notFoundHome: 'Przejdź do strony głównej',

  signInTitle: 'Zaloguj się',
  signInIntro: 'Zaloguj się adresem e-mail i hasłem, aby zobaczyć dokumenty swojego miasta i sieci.',
  emailLabel: 'Adres e-mail',
  passwordLabel: 'Hasło',
  signInButton: 'Zaloguj się',
  signInHelp: 'Nie masz jeszcze hasła albo go nie pamiętasz? Poproś administratora o link do ustawienia hasła.',
  emailEmpty: 'Podaj adres e-mail.',
  passwordEmpty: 'Podaj hasło.',
  signInWrong: 'Nieprawidłowy adres e-mail lub hasło.',
  signInRateLimited:
    'Było zbyt wiele nieudanych prób logowania. Spróbuj ponownie później albo poproś administratora o link do zmiany hasła.',
  signInRateLimitedFor:
    'Było zbyt wiele nieudanych prób logowania. Spróbuj ponownie za {wait} albo poproś administratora o link do zmiany hasła.',
  serverUnreachable: 'Nie udało się połączyć z serwerem. Sprawdź połączenie z internetem i spróbuj ponownie.',
  linkInvalid: 'Ten link jest nieważny, został już użyty albo wygasł. Poproś administratora o nowy link.',
  linkMissing: 'W adresie brakuje kodu z linku. Otwórz cały link od administratora albo poproś o nowy.',
  signInLink: 'Zaloguj się',

  inviteTitle: 'Ustaw hasło do Narady',
  inviteIntro: 'Administrator założył Ci konto. Wybierz hasło, którym będziesz się logować.',
  inviteButton: 'Ustaw hasło i zaloguj się',
  resetTitle: 'Ustaw nowe hasło',
  resetIntro: 'Wybierz nowe hasło. Na innych urządzeniach zostaniesz wylogowana lub wylogowany.',
  resetButton: 'Zmień hasło i zaloguj się',
  newPasswordLabel: 'Nowe hasło',
  confirmPasswordLabel: 'Powtórz hasło',
  passwordHint: 'Co najmniej {n} znaków. Długie hasło z kilku słów jest bezpieczne i łatwe do zapamiętania.',
  passwordTooShort: 'Hasło musi mieć co najmniej {n} znaków.',
  passwordTooLong: 'Hasło jest za długie.',
  passwordConfirmEmpty: 'Powtórz hasło.',
  passwordMismatch: 'Hasła się różnią. Wpisz to samo hasło w obu polach.',
  passwordRejected: 'Serwer nie przyjął tego hasła. Wybierz inne, co najmniej {n} znaków.',

  setupTitle: 'Pierwsze uruchomienie Narady',
  setupIntro:
    'Ta instalacja nie ma jeszcze żadnych kont. Załóż konto pierwszej administratorki lub pierwszego administratora. Kod jednorazowy znajdziesz w dzienniku serwera (wiersz „first-run setup”).',
  setupCodeLabel: 'Kod z dziennika serwera',
  setupCodeHint: 'Osiem znaków, na przykład K7PQ-M2XD. Wielkość liter i myślnik nie mają znaczenia.',
  setupCodeEmpty: 'Podaj kod z dziennika serwera.',
  setupCodeWrong: 'Ten kod jest nieprawidłowy. Przepisz go z dziennika serwera.',
  setupLocked: 'Podano zbyt wiele nieprawidłowych kodów. Uruchom serwer ponownie — zapisze w dzienniku nowy kod.',
  setupDone: 'Narada ma już administratora. Zaloguj się swoim kontem.',
  setupNamePrompt: 'Imię i nazwisko',
  setupNameEmpty: 'Podaj imię i nazwisko.',
  setupButton: 'Załóż konto administratora i zaloguj się',

  signOut: 'Wyloguj się',
  signOutEverywhere: 'Wyloguj się na wszystkich urządzeniach',

  docsTitle: 'Dokumenty',
  filtersLabel: 'Filtry dokumentów',
  filterSearch: 'Szukaj w tytułach',
  filterNetwork: 'Sieć',
  filterAllNetworks: 'Wszystkie sieci',
  filterCity: 'Miasto',
  filterAllCities: 'Wszystkie miasta',
  filterKind: 'Rodzaj dokumentu',
  filterAllKinds: 'Wszystkie rodzaje',
  docsLoadFailed: 'Nie udało się wczytać listy dokumentów. Odśwież stronę.',
  docsCount: 'Liczba dokumentów: {n}',
  docsNone: 'Nie masz jeszcze dostępu do żadnego dokumentu.',
  docsNoneMatch: 'Żaden dokument nie pasuje do wybranych filtrów.',
  colTitle: 'Tytuł',
  colOwner: 'Właściciel',
  colKind: 'Rodzaj',
  colRole: 'Twój dostęp',
  ownerCity: 'Miasto {name}',
  ownerNetwork: 'Sieć {name}',
  kind_mid: 'Miejska Inicjatywa Działań (MID)',
  kind_plan_ulepszen: 'Plan Ulepszeń',
  kind_notes: 'Notatki robocze',
  kind_other: 'Inne',
  role_viewer: 'Odczyt',
  role_commenter: 'Komentowanie',
  role_editor: 'Edycja',
  role_moderator: 'Moderacja',
  newDocTitle: 'Nowy dokument',
  newDocTitleLabel: 'Tytuł dokumentu',
  newDocOwnerLabel: 'Właściciel (miasto lub sieć)',
  newDocButton: 'Utwórz dokument',
  newDocTitleEmpty: 'Podaj tytuł dokumentu.',
  newDocForbidden: 'Nie możesz tworzyć dokumentów dla tego właściciela. Wybierz swoje miasto lub sieć.',

  noAccess: 'Nie masz dostępu do tego dokumentu albo dokument nie istnieje.',
  accessRevoked: 'Nie masz już dostępu do tego dokumentu. Jeśli to pomyłka, skontaktuj się z administratorem.',
  sessionEnded: 'Twoja sesja się skończyła (wylogowanie lub zmiana hasła). Zaloguj się ponownie.',
  backToList: 'Wróć do listy dokumentów',
  roleNowWritable: 'Twoje uprawnienia się zmieniły: możesz teraz edytować ten dokument.',
  roleNowReadOnly: 'Twoje uprawnienia się zmieniły: możesz teraz tylko czytać ten dokument.',

  forbiddenAction: 'Nie masz uprawnień do tej czynności. Jeśli ich potrzebujesz, zwróć się do administratora.',
  notFoundAction: 'Nie ma już tego, czego dotyczy żądanie (mogło zostać usunięte). Odśwież stronę.',
  refusedHeading: 'Nie udało się tego zrobić',
  errorInvalidInput: 'Serwer nie przyjął wpisanych danych. Sprawdź je i spróbuj ponownie.',
  errorRateLimited: 'Zbyt wiele prób w krótkim czasie. Odczekaj chwilę i spróbuj ponownie.',
  errorCsrf: 'Zabezpieczenie tej strony straciło ważność. Odśwież stronę i spróbuj ponownie.',
  errorConflict: 'Nie da się tego zrobić, bo koliduje to z tym, co już jest zapisane (na przykład nazwa jest już zajęta).',
  errorTooLarge: 'Wysłano za dużo danych naraz. Skróć tekst i spróbuj ponownie.',
  errorBadRequest: 'Serwer nie zrozumiał żądania. Odśwież stronę i spróbuj ponownie.',
  errorBadDocument: 'Serwer nie przyjął nazwy dokumentu. Użyj liter, cyfr, kropek, podkreśleń i myślników.',
  errorBadUser: 'Serwer nie przyjął imienia. Podaj imię i nazwisko (do 100 znaków).',
  errorInternal: 'Na serwerze wystąpił błąd. Spróbuj ponownie za chwilę, a jeśli błąd się powtarza, powiadom administratora.',
  errorStorage: 'Serwer nie może teraz zapisywać danych. Spróbuj ponownie za chwilę.',
  errorUnknown: 'Serwer odrzucił żądanie. Spróbuj ponownie, a jeśli to się powtarza, powiadom administratora.',
  cityNameTaken: 'Miasto o tej nazwie już istnieje. Wybierz inną nazwę.',
  networkNameTaken: 'Sieć o tej nazwie już istnieje. Wybierz inną nazwę.',
  personEmailTaken: 'Ktoś z tym adresem e-mail ma już konto w Naradzie.',
  personLinkDisabled: 'To konto jest wyłączone, więc nie można utworzyć dla niego linku. Najpierw włącz konto.',
  closeShutdown: 'serwer jest wyłączany',
  closeBadMessage: 'serwer nie zrozumiał wiadomości od tej strony',
  closeTooBig: 'zmiana była za duża',
  closeUnavailable: 'serwer nie mógł wczytać albo zapisać dokumentu',
  closeReloaded: 'dokument wczytano ponownie po błędzie serwera',
  closeBusy: 'serwer jest przeciążony albo nie może teraz zapisywać zmian',
  closeOther: 'kod {code}',
  errorRoleTooHigh: 'Nie możesz dać nikomu wyższych uprawnień niż Twoje własne. Wybierz niższe uprawnienia.',
  errorTooManySockets: 'Ten dokument jest otwarty w zbyt wielu kartach lub na zbyt wielu urządzeniach. Zamknij niektóre i spróbuj ponownie.',
  errorDocHasOwner: 'Ten dokument należy do miasta lub sieci. Zaloguj się, aby go otworzyć.',
  close: 'Zamknij',
  copied: 'Skopiowano do schowka.',
  copyFailed: 'Nie udało się skopiować. Zaznacz link w polu i skopiuj go samodzielnie.',
  edit: 'Edytuj',
  editFor: 'Edytuj: {name}',
  save: 'Zapisz zmiany',
  colActions: 'Działania',
  colName: 'Nazwa',
  colPersonName: 'Imię i nazwisko',

  filterArchived: 'Archiwum',
  show_archived_exclude: 'Bez archiwalnych',
  show_archived_include: 'Także archiwalne',
  show_archived_only: 'Tylko archiwalne',
  filterDeleted: 'Usunięte',
  show_deleted_exclude: 'Bez usuniętych',
  show_deleted_include: 'Także usunięte',
  show_deleted_only: 'Tylko usunięte',
  docStateArchived: '(w archiwum)',
  docStateDeleted: '(usunięty)',
  docManage: 'Zarządzaj',
  docManageFor: 'Zarządzaj dokumentem: {title}',
  manageTitle: 'Zarządzanie dokumentem „{title}”',
  docRename: 'Zmień tytuł',
  docRenamed: 'Zmieniono tytuł na „{title}”.',
  docMove: 'Przenieś',
  docMoved: 'Dokument należy teraz do: {owner}.',
  docArchive: 'Przenieś do archiwum',
  docArchived: 'Dokument „{title}” jest w archiwum: można go czytać, ale nie zmieniać.',
  docUnarchive: 'Przywróć z archiwum',
  docUnarchived: 'Dokument „{title}” wrócił z archiwum.',
  docDelete: 'Usuń dokument',
  docDeleteConfirm: 'Usunąć dokument „{title}”? Nikt nie będzie miał do niego dostępu; przywrócić go może tylko administrator.',
  docDeleted: 'Dokument „{title}” został usunięty.',
  docRestore: 'Przywróć usunięty dokument',
  docRestored: 'Dokument „{title}” został przywrócony.',

  shareOpen: 'Udostępnij',
  shareTitle: 'Udostępnianie dokumentu „{title}”',
  sharesCurrent: 'Udostępniono',
  sharesNone: 'Dokument nie jest jeszcze nikomu udostępniony.',
  shareAdd: 'Udostępnij komuś',
  shareWith: 'Komu',
  shareWithPerson: 'Osobie',
  shareWithCity: 'Miastu',
  sharePerson: 'Osoba',
  sharePersonEmail: 'Adres e-mail osoby',
  sharePersonEmailHint: 'Adres, którym ta osoba loguje się do Narady, np. jan.kowalski@miasto.pl.',
  sharePersonEmailInvalid: 'Podaj adres e-mail osoby, np. jan.kowalski@miasto.pl.',
  sharePersonNotFound: 'Nie ma aktywnego konta z tym adresem e-mail. Sprawdź adres albo poproś administratora o zaproszenie tej osoby.',
  shareRole: 'Uprawnienia',
  shareButton: 'Udostępnij',
  shareAdded: 'Udostępniono: {name} — {role}.',
  shareRemove: 'Usuń',
  shareRemoveFor: 'Usuń udostępnienie: {name}',
  shareRemoved: 'Usunięto udostępnienie: {name}.',
  shareNameEmail: '{name} ({email})',

  accountNumber: 'Numer konta: {id}',
  adminLink: 'Administracja',
  adminTitle: 'Administracja',
  adminNav: 'Działy administracji',
  adminNoAccess: 'Ta część Narady jest tylko dla administratorów (pracowników ministerstwa). Nie masz do niej dostępu.',
  adminPeople: 'Osoby',
  adminPlaces: 'Miasta i sieci',
  adminAudit: 'Dziennik zdarzeń',

  accountRole_admin: 'Administrator',
  accountRole_moderator: 'Moderator',
  accountRole_editor: 'Redaktor (zespół miasta)',
  accountRole_commenter: 'Komentujący (ekspert)',
  accountRole_viewer: 'Czytelnik',
  colAccountRole: 'Rola',
  colCities: 'Miasta',
  colNetworks: 'Sieci',
  colStatus: 'Stan konta',
  colNumber: 'Nr konta',
  personActive: 'Aktywne',
  personInvited: 'Zaproszone (bez hasła)',
  personDisabled: 'Wyłączone',
  personAdd: 'Dodaj osobę',
  personAddButton: 'Dodaj osobę i utwórz zaproszenie',
  personNameEmpty: 'Podaj imię i nazwisko.',
  personEmailInvalid: 'Podaj adres e-mail, np. jan.kowalski@miasto.pl.',
  personEditTitle: 'Konto: {name}',
  personDisabledLabel: 'Konto wyłączone (osoba nie może się zalogować i traci dostęp do dokumentów)',
  personSaved: 'Zapisano zmiany konta: {name}.',
  personLinks: 'Linki jednorazowe',
  personInviteLink: 'Nowy link z zaproszeniem',
  personResetLink: 'Link do zmiany hasła',
  inviteLinkFor: 'Link z zaproszeniem dla: {name}',
  resetLinkFor: 'Link do zmiany hasła dla: {name}',
  linkLabel: 'Link',
  linkHint: 'Przekaż ten link tylko tej osobie. Działa jeden raz; zaproszenie jest ważne 7 dni, link do zmiany hasła 24 godziny.',
  copyLink: 'Kopiuj link',

  cityAdd: 'Dodaj miasto',
  cityAddButton: 'Dodaj miasto',
  networkAdd: 'Dodaj sieć',
  networkAddButton: 'Dodaj sieć',
  placeNameEmpty: 'Podaj nazwę.',
  placeCreated: 'Dodano: {name}.',
  placeEditTitle: 'Edycja: {name}',
  placeSaved: 'Zapisano zmiany: {name}.',

  auditPerson: 'Osoba (wykonująca lub której dotyczy)',
  auditAllPeople: 'Wszystkie osoby',
  auditAction: 'Czynność',
  auditSince: 'Od',
  auditUntil: 'Do',
  auditUntilBeforeSince: 'Koniec okresu musi być późniejszy niż jego początek.',
  auditShow: 'Pokaż wpisy',
  auditExport: 'Eksportuj dane tej osoby (RODO, plik JSON)',
  auditExported: 'Pobrano dane osoby: {name}.',
  auditAt: 'Czas',
  auditActor: 'Kto',
  auditTarget: 'Czego dotyczy',
  auditSubject: 'Osoba, której dotyczy',
  auditDetail: 'Szczegóły',
  auditOlder: 'Starsze wpisy',
  auditCount: 'Liczba wpisów: {n}',
  auditTargetDoc: 'Dokument „{title}”',
  auditPersonNumber: 'Osoba nr {id}',
  auditCommandLine: 'Wiersz poleceń serwera',
  auditYes: 'tak',
  auditNo: 'nie',
  auditDisabled: 'Konto wyłączone',
  auditLocked: 'Konto zablokowane',
  auditRecords: 'Wpisy w eksporcie',
  auditReason: 'Powód',
  auditVia: 'Sposób',
  auditFormat: 'Format pliku',
} as const;

export type MessageKey = keyof typeof pl;

const en: Record<MessageKey, string> = {
  appName: 'Narada',
  appTagline: 'Working together on City Partnership Initiative documents',
  skipToContent: 'Skip to document text',
  languageSwitch: 'Interface language',
  homeLinkSuffix: ' — home',

  landingTitle: 'Open a document',
  devAccessIntro:
    'This server runs in developer mode: you can open a document without signing in. Enter a document name and your name. Everyone who opens the same document sees your changes as you make them.',
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

  // The editor's content controls, dialogs and panels (src/editor/).
  blockquote: 'Block quote',
  underline: 'Underline',
  strike: 'Strikethrough',
  link: 'Link',
  alignLeft: 'Align left',
  alignCenter: 'Centre',
  alignRight: 'Align right',
  alignJustify: 'Justify',
  horizontalRule: 'Horizontal line',
  insertTable: 'Insert table',
  tableToolbarLabel: 'Table',
  tableAddRowBefore: 'Add row above',
  tableAddRowAfter: 'Add row below',
  tableDeleteRow: 'Delete row',
  tableAddColumnBefore: 'Add column to the left',
  tableAddColumnAfter: 'Add column to the right',
  tableDeleteColumn: 'Delete column',
  tableHeaderRow: 'Header row',
  tableMergeCells: 'Merge cells',
  tableSplitCell: 'Split cell',
  tableDelete: 'Delete table',
  tableNextCell: 'Next table cell',
  tablePreviousCell: 'Previous table cell',
  shortcutsOpen: 'Keyboard shortcuts',
  shortcutsTitle: 'Keyboard shortcuts',
  shortcutsFormatting: 'Formatting',
  shortcutsAction: 'Action',
  shortcutsKeys: 'Shortcut',
  linkAddTitle: 'Add link',
  linkEditTitle: 'Edit link',
  linkUrlLabel: 'Address',
  linkUrlHint: 'A web address (http:// or https://) or an email address (mailto:).',
  linkTextLabel: 'Link text',
  linkSave: 'Save link',
  linkRemove: 'Remove link',
  linkOpen: 'Open link',
  opensNewTab: ' (in a new tab)',
  linkUrlEmpty: 'Enter the link address.',
  linkUrlInvalid: 'A link can only lead to a web page (http:// or https://) or an email address (mailto:).',
  linkTextEmpty: 'Enter the link text.',
  outlineTitle: 'Contents',
  outlineEmpty: 'The document has no headings yet.',
  outlineUntitled: '(heading without text)',
  findOpen: 'Find and replace',
  findLabel: 'Find',
  replaceLabel: 'Replace with',
  replaceShortcut: 'Replace',
  findCase: 'Match case',
  findNext: 'Next',
  findPrevious: 'Previous',
  replaceOne: 'Replace',
  replaceAll: 'Replace all',
  findClose: 'Close search',
  findCount: 'Match {i} of {n}',
  findNone: 'No matches',
  findReplaced: 'Replaced: {n}.',
  statsWords: 'Words: {n}',
  statsChars: 'Characters: {n}',
  printedOn: 'Printed on {date}',

  statusLabel: 'Connection status',
  statusConnecting: 'Connecting…',
  statusConnected: 'Connected',
  statusReconnecting: 'Reconnecting…',
  statusOffline: 'Offline',
  statusClosed: 'Disconnected',
  saveSaved: 'Changes saved',
  saveSaving: 'Saving…',
  saveUnsynced: 'Unsent changes: they will be sent when the connection is back',
  saveLocal: 'Changes saved on this device, waiting to be sent',

  presenceLabel: 'People in the document',
  presenceYou: '(you)',
  presenceCount: 'Present: {n}',
  presenceJoined: 'Joined the document: {names}.',
  presenceLeft: 'Left the document: {names}.',
  presenceFollow: 'follow caret',
  presenceFollowing: 'Following the caret of {name}.',
  presenceStopped: 'Stopped following {name}.',
  presenceJump: 'Jump to the caret of {name}',
  presenceNoCaret: '{name} has no caret in the text right now.',

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
  notFoundTitle: 'Page not found',
  notFoundText: 'There is no Narada page at this address. Check that the address is right, or start from the home page.',
  notFoundHome: 'Go to the home page',

  signInTitle: 'Sign in',
  signInIntro: 'Sign in with your email address and password to see the documents of your city and networks.',
  emailLabel: 'Email address',
  passwordLabel: 'Password',
  signInButton: 'Sign in',
  signInHelp: 'No password yet, or forgotten it? Ask your administrator for a link to set one.',
  emailEmpty: 'Enter your email address.',
  passwordEmpty: 'Enter your password.',
  signInWrong: 'Wrong email address or password.',
  signInRateLimited: 'Too many failed sign-ins. Try again later, or ask your administrator for a password reset link.',
  signInRateLimitedFor: 'Too many failed sign-ins. Try again in {wait}, or ask your administrator for a password reset link.',
  serverUnreachable: 'Could not reach the server. Check your internet connection and try again.',
  linkInvalid: 'This link is invalid, already used or expired. Ask your administrator for a new link.',
  linkMissing: 'The address lacks the code from the link. Open the whole link from your administrator, or ask for a new one.',
  signInLink: 'Sign in',

  inviteTitle: 'Set your Narada password',
  inviteIntro: 'Your administrator has created an account for you. Choose the password you will sign in with.',
  inviteButton: 'Set password and sign in',
  resetTitle: 'Set a new password',
  resetIntro: 'Choose a new password. You will be signed out on your other devices.',
  resetButton: 'Change password and sign in',
  newPasswordLabel: 'New password',
  confirmPasswordLabel: 'Repeat the password',
  passwordHint: 'At least {n} characters. A long password of a few words is safe and easy to remember.',
  passwordTooShort: 'The password must have at least {n} characters.',
  passwordTooLong: 'The password is too long.',
  passwordConfirmEmpty: 'Repeat the password.',
  passwordMismatch: 'The passwords differ. Enter the same password in both fields.',
  passwordRejected: 'The server did not accept this password. Choose another one, at least {n} characters long.',

  setupTitle: 'Setting up Narada',
  setupIntro:
    'This installation has no accounts yet. Create the first administrator’s account. The one-time code is in the server’s log (the line “first-run setup”).',
  setupCodeLabel: 'Code from the server log',
  setupCodeHint: 'Eight characters, for example K7PQ-M2XD. Case and the dash do not matter.',
  setupCodeEmpty: 'Enter the code from the server log.',
  setupCodeWrong: 'This code is wrong. Copy it from the server log.',
  setupLocked: 'Too many wrong codes. Restart the server: it writes a new code to its log.',
  setupDone: 'Narada has an administrator already. Sign in with your account.',
  setupNamePrompt: 'Full name',
  setupNameEmpty: 'Enter your full name.',
  setupButton: 'Create the administrator account and sign in',

  signOut: 'Sign out',
  signOutEverywhere: 'Sign out on all devices',

  docsTitle: 'Documents',
  filtersLabel: 'Document filters',
  filterSearch: 'Search titles',
  filterNetwork: 'Network',
  filterAllNetworks: 'All networks',
  filterCity: 'City',
  filterAllCities: 'All cities',
  filterKind: 'Document kind',
  filterAllKinds: 'All kinds',
  docsLoadFailed: 'Could not load the list of documents. Reload the page.',
  docsCount: 'Documents: {n}',
  docsNone: 'You do not have access to any document yet.',
  docsNoneMatch: 'No document matches the chosen filters.',
  colTitle: 'Title',
  colOwner: 'Owner',
  colKind: 'Kind',
  colRole: 'Your access',
  ownerCity: 'City of {name}',
  ownerNetwork: '{name} network',
  kind_mid: 'Urban Action Initiative (MID)',
  kind_plan_ulepszen: 'Improvement Plan',
  kind_notes: 'Working notes',
  kind_other: 'Other',
  role_viewer: 'Read',
  role_commenter: 'Comment',
  role_editor: 'Edit',
  role_moderator: 'Moderate',
  newDocTitle: 'New document',
  newDocTitleLabel: 'Document title',
  newDocOwnerLabel: 'Owner (city or network)',
  newDocButton: 'Create document',
  newDocTitleEmpty: 'Enter a title for the document.',
  newDocForbidden: 'You may not create documents for this owner. Choose your city or network.',

  noAccess: 'You do not have access to this document, or it does not exist.',
  accessRevoked: 'You no longer have access to this document. If this is a mistake, contact your administrator.',
  sessionEnded: 'Your session has ended (signed out or password changed). Please sign in again.',
  backToList: 'Back to the list of documents',
  roleNowWritable: 'Your access has changed: you can now edit this document.',
  roleNowReadOnly: 'Your access has changed: you can now only read this document.',

  forbiddenAction: 'You are not allowed to do this. If you need to, ask your administrator.',
  notFoundAction: 'What this request is about no longer exists (it may have been deleted). Reload the page.',
  refusedHeading: 'This could not be done',
  errorInvalidInput: 'The server did not accept what was entered. Check it and try again.',
  errorRateLimited: 'Too many attempts in a short time. Wait a moment and try again.',
  errorCsrf: 'The security check of this page has expired. Reload the page and try again.',
  errorConflict: 'This cannot be done because it clashes with what is already stored (for example, the name is already taken).',
  errorTooLarge: 'Too much was sent at once. Shorten the text and try again.',
  errorBadRequest: 'The server did not understand the request. Reload the page and try again.',
  errorBadDocument: 'The server did not accept the document name. Use letters, digits, dots, underscores and hyphens.',
  errorBadUser: 'The server did not accept the name. Enter your name (up to 100 characters).',
  errorInternal: 'Something went wrong on the server. Try again in a moment; if it keeps happening, tell your administrator.',
  errorStorage: 'The server cannot store data right now. Try again in a moment.',
  errorUnknown: 'The server refused the request. Try again; if it keeps happening, tell your administrator.',
  cityNameTaken: 'A city with this name already exists. Choose another name.',
  networkNameTaken: 'A network with this name already exists. Choose another name.',
  personEmailTaken: 'Someone with this email address already has a Narada account.',
  personLinkDisabled: 'This account is disabled, so no link can be made for it. Enable the account first.',
  closeShutdown: 'the server is shutting down',
  closeBadMessage: 'the server did not understand a message from this page',
  closeTooBig: 'a change was too large',
  closeUnavailable: 'the server could not load or store the document',
  closeReloaded: 'the document was reloaded after a server error',
  closeBusy: 'the server is overloaded or cannot store changes right now',
  closeOther: 'code {code}',
  errorRoleTooHigh: 'You cannot give anyone more access than you have yourself. Choose a lower access.',
  errorTooManySockets: 'This document is open in too many tabs or on too many devices. Close some of them and try again.',
  errorDocHasOwner: 'This document belongs to a city or network. Sign in to open it.',
  close: 'Close',
  copied: 'Copied to the clipboard.',
  copyFailed: 'Could not copy. Select the link in the field and copy it yourself.',
  edit: 'Edit',
  editFor: 'Edit: {name}',
  save: 'Save changes',
  colActions: 'Actions',
  colName: 'Name',
  colPersonName: 'Name',

  filterArchived: 'Archive',
  show_archived_exclude: 'Without archived',
  show_archived_include: 'Including archived',
  show_archived_only: 'Only archived',
  filterDeleted: 'Deleted',
  show_deleted_exclude: 'Without deleted',
  show_deleted_include: 'Including deleted',
  show_deleted_only: 'Only deleted',
  docStateArchived: '(archived)',
  docStateDeleted: '(deleted)',
  docManage: 'Manage',
  docManageFor: 'Manage document: {title}',
  manageTitle: 'Managing “{title}”',
  docRename: 'Rename',
  docRenamed: 'Renamed to “{title}”.',
  docMove: 'Move',
  docMoved: 'The document now belongs to: {owner}.',
  docArchive: 'Archive',
  docArchived: '“{title}” is archived: it can be read but not changed.',
  docUnarchive: 'Take out of the archive',
  docUnarchived: '“{title}” is out of the archive.',
  docDelete: 'Delete document',
  docDeleteConfirm: 'Delete “{title}”? Nobody will have access to it; only an administrator can restore it.',
  docDeleted: '“{title}” has been deleted.',
  docRestore: 'Restore deleted document',
  docRestored: '“{title}” has been restored.',

  shareOpen: 'Share',
  shareTitle: 'Sharing “{title}”',
  sharesCurrent: 'Shared with',
  sharesNone: 'The document is not shared with anyone yet.',
  shareAdd: 'Share with someone',
  shareWith: 'With',
  shareWithPerson: 'A person',
  shareWithCity: 'A city',
  sharePerson: 'Person',
  sharePersonEmail: 'The person’s email address',
  sharePersonEmailHint: 'The address this person signs in to Narada with, e.g. jan.kowalski@miasto.pl.',
  sharePersonEmailInvalid: 'Enter the person’s email address, e.g. jan.kowalski@miasto.pl.',
  sharePersonNotFound: 'No active account has this email address. Check the address, or ask an administrator to invite the person.',
  shareRole: 'Access',
  shareButton: 'Share',
  shareAdded: 'Shared: {name} — {role}.',
  shareRemove: 'Remove',
  shareRemoveFor: 'Remove share: {name}',
  shareRemoved: 'Share removed: {name}.',
  shareNameEmail: '{name} ({email})',

  accountNumber: 'Account number: {id}',
  adminLink: 'Administration',
  adminTitle: 'Administration',
  adminNav: 'Administration sections',
  adminNoAccess: 'This part of Narada is for administrators (ministry staff) only. You do not have access to it.',
  adminPeople: 'People',
  adminPlaces: 'Cities and networks',
  adminAudit: 'Audit log',

  accountRole_admin: 'Administrator',
  accountRole_moderator: 'Moderator',
  accountRole_editor: 'Editor (city team)',
  accountRole_commenter: 'Commenter (expert)',
  accountRole_viewer: 'Reader',
  colAccountRole: 'Role',
  colCities: 'Cities',
  colNetworks: 'Networks',
  colStatus: 'Account status',
  colNumber: 'Account no.',
  personActive: 'Active',
  personInvited: 'Invited (no password yet)',
  personDisabled: 'Disabled',
  personAdd: 'Add a person',
  personAddButton: 'Add person and create invitation',
  personNameEmpty: 'Enter the person’s name.',
  personEmailInvalid: 'Enter an email address, e.g. jan.kowalski@miasto.pl.',
  personEditTitle: 'Account: {name}',
  personDisabledLabel: 'Account disabled (cannot sign in and has no access to documents)',
  personSaved: 'Account changes saved: {name}.',
  personLinks: 'One-time links',
  personInviteLink: 'New invitation link',
  personResetLink: 'Password reset link',
  inviteLinkFor: 'Invitation link for: {name}',
  resetLinkFor: 'Password reset link for: {name}',
  linkLabel: 'Link',
  linkHint: 'Give this link to this person only. It works once; an invitation is valid for 7 days, a reset link for 24 hours.',
  copyLink: 'Copy link',

  cityAdd: 'Add a city',
  cityAddButton: 'Add city',
  networkAdd: 'Add a network',
  networkAddButton: 'Add network',
  placeNameEmpty: 'Enter a name.',
  placeCreated: 'Added: {name}.',
  placeEditTitle: 'Editing: {name}',
  placeSaved: 'Changes saved: {name}.',

  auditPerson: 'Person (acting or concerned)',
  auditAllPeople: 'All people',
  auditAction: 'Action',
  auditSince: 'From',
  auditUntil: 'Until',
  auditUntilBeforeSince: 'The end of the period must be later than its start.',
  auditShow: 'Show records',
  auditExport: 'Export this person’s data (GDPR, JSON file)',
  auditExported: 'Downloaded the data of: {name}.',
  auditAt: 'Time',
  auditActor: 'Who',
  auditTarget: 'Concerning',
  auditSubject: 'Person concerned',
  auditDetail: 'Details',
  auditOlder: 'Older records',
  auditCount: 'Records: {n}',
  auditTargetDoc: 'Document “{title}”',
  auditPersonNumber: 'Person no. {id}',
  auditCommandLine: 'Server command line',
  auditYes: 'yes',
  auditNo: 'no',
  auditDisabled: 'Account disabled',
  auditLocked: 'Account locked',
  auditRecords: 'Records exported',
  auditReason: 'Reason',
  auditVia: 'By',
  auditFormat: 'File format',
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

/**
 * Values for a message's `{name}` placeholders: text and numbers as they are, a `Message` as
 * that message in the current language (so a role name inside a sentence switches with it).
 */
export type Vars = { [name: string]: string | number | Message };

/** A message with its placeholders' values, to be written in whatever language is current. */
export interface Message {
  key: MessageKey;
  vars?: Vars;
}

/** The message for `key` in the current language, with `{name}` placeholders filled in. */
export function t(key: MessageKey, vars: Vars = {}): string {
  // A key built from server data (e.g. `kind_${kind}`) may be unknown: shown as it is.
  return (catalogs[current][key] ?? key).replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = vars[name];
    if (v === undefined) return m;
    return typeof v === 'object' ? t(v.key, v.vars) : String(v);
  });
}

/**
 * Puts message `key` (with `vars`) into `el` and marks it (`data-i18n`, `data-i18n-vars`), so
 * every language switch writes it again: text set by code otherwise stays in the language it
 * was written in. `null` empties `el` and drops the mark.
 */
export function setText(el: HTMLElement, key: MessageKey | null, vars?: Vars): void {
  if (key === null) {
    delete el.dataset.i18n;
    delete el.dataset.i18nVars;
    el.textContent = '';
    return;
  }
  el.dataset.i18n = key;
  if (vars) el.dataset.i18nVars = JSON.stringify(vars);
  else delete el.dataset.i18nVars;
  el.textContent = t(key, vars);
}

/** Like `setText`, for attribute `attr` (e.g. `aria-label`); the vars are the element's. */
export function setAttrText(el: HTMLElement, attr: string, key: MessageKey, vars?: Vars): void {
  const others = (el.dataset.i18nAttr ?? '').split(';').filter((pair) => pair && pair.split(':')[0].trim() !== attr);
  el.dataset.i18nAttr = [...others, `${attr}:${key}`].join(';');
  if (vars) el.dataset.i18nVars = JSON.stringify({ ...varsOf(el), ...vars });
  el.setAttribute(attr, t(key, vars ?? varsOf(el)));
}

function varsOf(el: HTMLElement): Vars {
  try {
    return el.dataset.i18nVars ? (JSON.parse(el.dataset.i18nVars) as Vars) : {};
  } catch {
    return {};
  }
}

let pageTitle: (() => string) | null = null;

/** Sets the tab's title from `render` now and after every language switch. */
export function setTitle(render: () => string): void {
  pageTitle = render;
  document.title = render();
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
  if (pageTitle) document.title = pageTitle();
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
    el.textContent = t(el.dataset.i18n as MessageKey, varsOf(el));
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-attr]')) {
    for (const pair of (el.dataset.i18nAttr ?? '').split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim() as MessageKey, varsOf(el)));
    }
  }
}

/**
 * What each audit-trail action code (recorded by crates/narada-accounts) means, in each language.
 * Kept apart from the catalogs because the codes are data from the server: an unknown code (a
 * newer server) is shown as it is.
 */
const auditActions: Record<string, Record<Lang, string>> = {
  'login.ok': { pl: 'Logowanie', en: 'Signed in' },
  'login.failed': { pl: 'Nieudane logowanie', en: 'Failed sign-in' },
  'login.rate_limited': { pl: 'Logowanie wstrzymane (zbyt wiele prób)', en: 'Sign-in held back (too many attempts)' },
  logout: { pl: 'Wylogowanie', en: 'Signed out' },
  'logout.everywhere': { pl: 'Wylogowanie ze wszystkich urządzeń', en: 'Signed out everywhere' },
  'invite.accepted': { pl: 'Przyjęcie zaproszenia', en: 'Invitation accepted' },
  'password.reset': { pl: 'Ustawienie nowego hasła', en: 'Password reset' },
  'person.create': { pl: 'Dodanie osoby', en: 'Person added' },
  'person.update': { pl: 'Zmiana danych osoby', en: 'Person changed' },
  'person.invite': { pl: 'Link z zaproszeniem', en: 'Invitation link' },
  'person.reset_link': { pl: 'Link do zmiany hasła', en: 'Password reset link' },
  'person.export': { pl: 'Eksport danych osoby (RODO)', en: 'Personal data export (GDPR)' },
  'person.city.add': { pl: 'Przypisanie do miasta', en: 'Added to a city' },
  'person.city.remove': { pl: 'Odebranie przypisania do miasta', en: 'Removed from a city' },
  'person.network.add': { pl: 'Przypisanie do sieci', en: 'Assigned to a network' },
  'person.network.remove': { pl: 'Odebranie przypisania do sieci', en: 'Removed from a network' },
  'city.create': { pl: 'Dodanie miasta', en: 'City added' },
  'city.rename': { pl: 'Zmiana nazwy miasta', en: 'City renamed' },
  'city.network.add': { pl: 'Dołączenie miasta do sieci', en: 'City joined a network' },
  'city.network.remove': { pl: 'Odłączenie miasta od sieci', en: 'City left a network' },
  'network.create': { pl: 'Dodanie sieci', en: 'Network added' },
  'network.rename': { pl: 'Zmiana nazwy sieci', en: 'Network renamed' },
  'doc.create': { pl: 'Utworzenie dokumentu', en: 'Document created' },
  'doc.rename': { pl: 'Zmiana tytułu dokumentu', en: 'Document renamed' },
  'doc.move': { pl: 'Przeniesienie dokumentu', en: 'Document moved' },
  'doc.archive': { pl: 'Archiwizacja dokumentu', en: 'Document archived' },
  'doc.unarchive': { pl: 'Przywrócenie z archiwum', en: 'Document unarchived' },
  'doc.delete': { pl: 'Usunięcie dokumentu', en: 'Document deleted' },
  'doc.restore': { pl: 'Przywrócenie usuniętego dokumentu', en: 'Document restored' },
  'doc.share': { pl: 'Udostępnienie dokumentu', en: 'Document shared' },
  'doc.unshare': { pl: 'Cofnięcie udostępnienia', en: 'Share removed' },
  'doc.export': { pl: 'Eksport dokumentu', en: 'Document exported' },
  'seed.demo': { pl: 'Wypełnienie danymi demonstracyjnymi', en: 'Demo data filled in' },
  'setup.admin': { pl: 'Pierwsze konto administratora (pierwsze uruchomienie)', en: 'First administrator (first-run setup)' },
};

/** Why a sign-in failed (`login.failed` records' `reason`), in each language. */
const auditReasons: Record<string, Record<Lang, string>> = {
  unknown_email: { pl: 'nieznany adres e-mail', en: 'unknown email address' },
  wrong_password: { pl: 'błędne hasło', en: 'wrong password' },
  no_password: { pl: 'konto bez hasła (zaproszenie nieprzyjęte)', en: 'account without a password (invitation not accepted)' },
  disabled: { pl: 'konto wyłączone', en: 'account disabled' },
  locked: { pl: 'konto zablokowane', en: 'account locked' },
  changed_during_sign_in: { pl: 'hasło lub konto zmienione w trakcie logowania', en: 'password or account changed during sign-in' },
};

/** What a sign-in failure reason means in the current language, or the reason itself. */
export function auditReasonLabel(reason: string): string {
  return auditReasons[reason]?.[current] ?? reason;
}

/** The audit action codes the interface knows, in the order they are offered. */
export const AUDIT_ACTION_CODES: readonly string[] = Object.keys(auditActions);

/** What an audit action code means in the current language, or the code itself when unknown. */
export function auditActionLabel(code: string): string {
  return auditActions[code]?.[current] ?? code;
}

/**
 * What each error code the server answers with means (`{"error": {"code", "message"}}`: the
 * accounts API's codes, crates/narada-accounts/src/error.rs and api/mod.rs, and the server's own,
 * crates/narada-server/src), plus `network` for a server that could not be reached. The server's
 * `message` is English and for developers; the interface never shows it. `test/pages.test.mjs`
 * checks that every code in those sources is here.
 */
const ERROR_TEXT: Record<string, MessageKey> = {
  network: 'serverUnreachable',
  invalid_input: 'errorInvalidInput',
  unauthenticated: 'sessionEnded',
  invalid_credentials: 'signInWrong',
  rate_limited: 'errorRateLimited',
  csrf: 'errorCsrf',
  forbidden: 'forbiddenAction',
  not_found: 'notFoundAction',
  conflict: 'errorConflict',
  bad_link: 'linkInvalid',
  too_large: 'errorTooLarge',
  unsupported_media_type: 'errorBadRequest',
  internal: 'errorInternal',
  bad_request: 'errorBadRequest',
  bad_document: 'errorBadDocument',
  bad_user: 'errorBadUser',
  storage_unreachable: 'errorStorage',
  storage_failing: 'errorStorage',
  role_too_high: 'errorRoleTooHigh',
  too_many_sockets: 'errorTooManySockets',
  setup_code_wrong: 'setupCodeWrong',
  setup_locked: 'setupLocked',
  setup_done: 'setupDone',
  doc_has_owner: 'errorDocHasOwner',
  // Refusals of the sync socket's upgrade (the browser does not show their body, but a client may).
  token_missing: 'accessFailed',
  token_invalid: 'accessFailed',
  token_expired: 'linkExpired',
  token_wrong_document: 'linkOtherDocument',
  token_revoked: 'accessRevoked',
  origin_not_allowed: 'accessFailed',
};

/** The error codes the interface has words for. */
export const ERROR_CODES: readonly string[] = Object.keys(ERROR_TEXT);

/** The message for an error code; an unknown one (a newer server) gets a general refusal. */
export function errorKey(code: string): MessageKey {
  return Object.prototype.hasOwnProperty.call(ERROR_TEXT, code) ? ERROR_TEXT[code] : 'errorUnknown';
}

/**
 * Every text the interface can show in language `l`: the catalog and the audit tables (for the
 * tests, which tell the languages apart by the words only one of them uses).
 */
export function allMessages(l: Lang): string[] {
  return [
    ...Object.values(catalogs[l]),
    ...Object.values(auditActions).map((m) => m[l]),
    ...Object.values(auditReasons).map((m) => m[l]),
  ];
}

/**
 * Why the server closed a sync socket, by its close code (PROTOCOL.md): the close frame's reason
 * is English, for developers, so the page words the code instead.
 */
const CLOSE_TEXT: Record<number, MessageKey> = {
  1001: 'closeShutdown',
  1002: 'closeBadMessage',
  1003: 'closeBadMessage',
  1007: 'closeBadMessage',
  1009: 'closeTooBig',
  1011: 'closeUnavailable',
  1012: 'closeReloaded',
  1013: 'closeBusy',
};

export function closeReason(code: number): Message {
  return CLOSE_TEXT[code] ? { key: CLOSE_TEXT[code] } : { key: 'closeOther', vars: { code } };
}
