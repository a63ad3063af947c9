/**
 * `/setup`: first-run setup. On a fresh installation the server writes a one-time code to its
 * log (`first-run setup: open …/setup and enter code XXXX-XXXX`); whoever runs it types that
 * code here with the first administrator's name, email and password (twice), `POST /api/setup`
 * creates the account and signs them in, and the page goes on to the documents list.
 *
 * `/` sends a visitor here while `GET /api/setup` says setup is pending. Once it is done (or
 * when the server offers none) this page says so and links to signing in. Errors use the pattern
 * of `forms.ts`; the code's refusals (wrong, too many wrong, setup already done) are told in words.
 */

import { t } from './i18n';
import { $, fragment } from './ui';
import { FormProblems, type Problem, fieldHtml } from './forms';
import { ApiError, completeSetup, setupPending } from './api';
import { formPage, newPasswordFieldsHtml, newPasswordInputs, onSubmit, passwordProblems, refusal } from './signin';

/** Replaces the form with the words for "nothing to set up" and a way to sign in. */
function showDone(main: HTMLElement, form: HTMLFormElement, problems: FormProblems): void {
  form.hidden = true;
  problems.show([]);
  main.querySelector('.setup__done')?.remove();
  main.append(
    fragment(`<p class="setup__done" role="status"><span data-i18n="setupDone"></span>
      <a href="/login" data-i18n="signInLink"></a></p>`),
  );
}

export async function mountSetup(root: HTMLElement): Promise<void> {
  const page = formPage(
    root,
    'setupTitle',
    'setupIntro',
    fieldHtml(
      'setup-code',
      'setupCodeLabel',
      '<input id="setup-code" name="code" type="text" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" maxlength="32" aria-describedby="setup-code-hint" required>',
      'setupCodeHint',
    ) +
      fieldHtml(
        'setup-name',
        'setupNamePrompt',
        '<input id="setup-name" name="name" type="text" autocomplete="name" maxlength="120" required>',
      ) +
      fieldHtml(
        'setup-email',
        'emailLabel',
        '<input id="setup-email" name="email" type="email" autocomplete="username" spellcheck="false" maxlength="254" required>',
      ) +
      newPasswordFieldsHtml(),
    'setupButton',
  );
  const code = $<HTMLInputElement>(root, '#setup-code');
  const name = $<HTMLInputElement>(root, '#setup-name');
  const email = $<HTMLInputElement>(root, '#setup-email');
  const { password, confirm } = newPasswordInputs(root);
  const problems = new FormProblems(page.summary, [code, name, email, password, confirm]);

  const pending = await setupPending().catch(() => true);
  if (!pending) return showDone(page.main, page.form, problems);

  onSubmit(page.form, async () => {
    const found: Problem[] = [];
    if (!code.value.trim()) found.push({ field: code, text: () => t('setupCodeEmpty') });
    if (!name.value.trim()) found.push({ field: name, text: () => t('setupNameEmpty') });
    if (!email.value.trim()) found.push({ field: email, text: () => t('emailEmpty') });
    found.push(...passwordProblems(password, confirm));
    problems.show(found);
    if (found.length > 0) return;
    try {
      await completeSetup(code.value, email.value.trim(), name.value.trim(), password.value);
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'setup_done' || e.status === 404)) {
        return showDone(page.main, page.form, problems);
      }
      const problem: Problem =
        e instanceof ApiError && e.code === 'setup_code_wrong'
          ? { field: code, text: () => t('setupCodeWrong') }
          : e instanceof ApiError && e.code === 'setup_locked'
            ? { text: () => t('setupLocked') }
            : { text: refusal(e) };
      problems.show([problem]);
      return;
    }
    location.assign('/');
  });
}
