/**
 * Signing in and setting a password.
 *
 * - `/login` (and `/` for someone not signed in): email and password, `POST /api/auth/login`,
 *   then on to `?next=` (a path on this site) or the documents list. On a server that hands out
 *   developer tokens, the form to open a document without signing in follows.
 * - `/invite?token=…` and `/reset-password?token=…`, where the administrator's one-time links
 *   lead: choose a password (twice), `POST /api/auth/accept-invite` or `/reset-password`, which
 *   signs the person in. The token leaves the address bar at once (kept for this tab only), so it
 *   is not passed on by copying the address or seen on a shared screen.
 *
 * Errors use the pattern of `forms.ts`; the server's refusals (wrong password, too many failed
 * attempts with how long to wait, used link) are told in words, not codes.
 */

import { t, onLanguageChange, setTitle, type MessageKey } from './i18n';
import { $, fragment, header } from './ui';
import { FormProblems, type Problem, fieldHtml, refusalKey, summaryHtml } from './forms';
import { ApiError, devTokensOffered, type LinkKind, setPasswordWithLink, signIn } from './api';
import { landingSection } from './landing';

/** The server's rule (narada-accounts `MIN_PASSWORD_CHARS`, `MAX_PASSWORD_BYTES`). */
const MIN_PASSWORD_CHARS = 10;
const MAX_PASSWORD_BYTES = 256;

/** A sign-in-like page: heading, intro, problem summary and a form with `fields` and a button. */
export function formPage(root: HTMLElement, titleKey: MessageKey, introKey: MessageKey, fields: string, submitKey: MessageKey) {
  setTitle(() => `${t(titleKey)} — Narada`);
  const main = fragment(`
    <main id="main" class="landing" tabindex="-1">
      <h1 data-i18n="${titleKey}"></h1>
      <p class="landing__tagline" data-i18n="appTagline"></p>
      <p data-i18n="${introKey}"></p>
      ${summaryHtml(2)}
      <form class="landing__form" novalidate>
        ${fields}
        <button class="button button--primary" type="submit" data-i18n="${submitKey}"></button>
      </form>
    </main>`);
  root.replaceChildren(header(), main);
  return {
    main: $(root, 'main'),
    form: $<HTMLFormElement>(root, 'form'),
    summary: $(root, '.problem-summary'),
  };
}

/** Runs `work` for a submitted form unless it is still busy with the previous submission. */
export function onSubmit(form: HTMLFormElement, work: () => Promise<void>): void {
  let busy = false;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (busy) return;
    busy = true;
    form.setAttribute('aria-busy', 'true');
    void work().finally(() => {
      busy = false;
      form.setAttribute('aria-busy', 'false');
    });
  });
}

/** Words for a refusal that is not about one field (by its code, see `refusalKey`). */
export function refusal(e: unknown): () => string {
  if (e instanceof ApiError && e.code === 'rate_limited' && e.retryAfter !== undefined) {
    // "30 s" / "4 min": abbreviations need no plural forms in either language.
    const secs = e.retryAfter;
    const wait = secs < 60 ? `${secs} s` : `${Math.ceil(secs / 60)} min`;
    return () => t('signInRateLimitedFor', { wait });
  }
  const key = refusalKey(e, { rate_limited: 'signInRateLimited' });
  return () => t(key);
}

export function mountSignIn(root: HTMLElement, next: string, suggestedDoc = ''): void {
  const page = formPage(
    root,
    'signInTitle',
    'signInIntro',
    fieldHtml(
      'signin-email',
      'emailLabel',
      '<input id="signin-email" name="email" type="email" autocomplete="username" spellcheck="false" maxlength="254" required>',
    ) +
      fieldHtml(
        'signin-password',
        'passwordLabel',
        '<input id="signin-password" name="password" type="password" autocomplete="current-password" required>',
      ),
    'signInButton',
  );
  page.form.after(fragment(`<p class="signin__help" data-i18n="signInHelp"></p>`));
  if (devTokensOffered()) page.main.append(landingSection(suggestedDoc));
  const email = $<HTMLInputElement>(root, '#signin-email');
  const password = $<HTMLInputElement>(root, '#signin-password');
  const problems = new FormProblems(page.summary, [email, password]);

  onSubmit(page.form, async () => {
    const found: Problem[] = [];
    if (!email.value.trim()) found.push({ field: email, text: () => t('emailEmpty') });
    if (!password.value) found.push({ field: password, text: () => t('passwordEmpty') });
    problems.show(found);
    if (found.length > 0) return;
    try {
      await signIn(email.value.trim(), password.value);
    } catch (e) {
      const wrong = e instanceof ApiError && e.code === 'invalid_credentials';
      problems.show([wrong ? { field: password, text: () => t('signInWrong') } : { text: refusal(e) }]);
      return;
    }
    location.assign(next);
  });
}

/** Takes `?token=` out of the address bar; the token is kept for this tab (a reload works). */
function adoptLinkToken(kind: LinkKind): string | null {
  const key = `narada.link.${kind}`;
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    try {
      sessionStorage.setItem(key, fromUrl);
    } catch {
      // Kept only as long as this page.
    }
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function forgetLinkToken(kind: LinkKind): void {
  try {
    sessionStorage.removeItem(`narada.link.${kind}`);
  } catch {
    // Nothing stored.
  }
}

/** Problems with a new password and its confirmation, as the server would judge them. */
export function passwordProblems(password: HTMLInputElement, confirm: HTMLInputElement): Problem[] {
  const found: Problem[] = [];
  const pw = password.value;
  if (!pw) found.push({ field: password, text: () => t('passwordEmpty') });
  else if (Array.from(pw).length < MIN_PASSWORD_CHARS) {
    found.push({ field: password, text: () => t('passwordTooShort', { n: MIN_PASSWORD_CHARS }) });
  } else if (new TextEncoder().encode(pw).length > MAX_PASSWORD_BYTES) {
    found.push({ field: password, text: () => t('passwordTooLong') });
  }
  if (!confirm.value) found.push({ field: confirm, text: () => t('passwordConfirmEmpty') });
  else if (pw && confirm.value !== pw) found.push({ field: confirm, text: () => t('passwordMismatch') });
  return found;
}

/** The new password and its confirmation (markup), as the invitation, reset and setup pages ask. */
export function newPasswordFieldsHtml(): string {
  return (
    fieldHtml(
      'new-password',
      'newPasswordLabel',
      '<input id="new-password" name="password" type="password" autocomplete="new-password" aria-describedby="new-password-hint" required>',
      '',
    ) +
    fieldHtml(
      'confirm-password',
      'confirmPasswordLabel',
      '<input id="confirm-password" name="confirm" type="password" autocomplete="new-password" required>',
    )
  );
}

/** Those two fields in `root`, the password rule as their hint (re-rendered on a language switch). */
export function newPasswordInputs(root: HTMLElement): { password: HTMLInputElement; confirm: HTMLInputElement } {
  const hint = $(root, '#new-password-hint');
  const renderHint = () => (hint.textContent = t('passwordHint', { n: MIN_PASSWORD_CHARS }));
  renderHint();
  onLanguageChange(renderHint);
  return { password: $<HTMLInputElement>(root, '#new-password'), confirm: $<HTMLInputElement>(root, '#confirm-password') };
}

export function mountSetPassword(root: HTMLElement, kind: LinkKind): void {
  const token = adoptLinkToken(kind);
  const invite = kind === 'invite';
  const page = formPage(
    root,
    invite ? 'inviteTitle' : 'resetTitle',
    invite ? 'inviteIntro' : 'resetIntro',
    newPasswordFieldsHtml(),
    invite ? 'inviteButton' : 'resetButton',
  );
  const { password, confirm } = newPasswordInputs(root);
  const problems = new FormProblems(page.summary, [password, confirm]);
  if (!token) {
    page.form.hidden = true;
    problems.show([{ text: () => t('linkMissing') }]);
    return;
  }

  onSubmit(page.form, async () => {
    const found = passwordProblems(password, confirm);
    problems.show(found);
    if (found.length > 0) return;
    try {
      await setPasswordWithLink(kind, token, password.value);
    } catch (e) {
      const tooWeak = e instanceof ApiError && e.code === 'invalid_input';
      problems.show([tooWeak ? { field: password, text: () => t('passwordRejected', { n: MIN_PASSWORD_CHARS }) } : { text: refusal(e) }]);
      return;
    }
    forgetLinkToken(kind);
    location.assign('/');
  });
}
