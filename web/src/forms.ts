/**
 * Form errors in the GOV.UK pattern, shared by every form: a summary (`role="alert"`) that takes
 * focus and links each message to its field; the field shows the same message next to it, is
 * `aria-invalid`, and points at the message with `aria-describedby` (after its hint, if any).
 *
 * Markup convention: a field `#x` has its message element `#x-error` and may have `#x-hint`.
 * Messages are functions, so they are re-rendered in the new language after a switch.
 */

import { onLanguageChange, type MessageKey } from './i18n';
import { $ } from './ui';

type Control = HTMLInputElement | HTMLSelectElement;

/** Markup of a problem summary: a heading of level `level` over the (empty) list. */
export function summaryHtml(level: 2 | 3, className = 'problem-summary'): string {
  return `<div class="${className}" role="alert" tabindex="-1" hidden>
    <h${level} data-i18n="formErrors"></h${level}>
    <ul></ul>
  </div>`;
}

/**
 * Markup of one field: its label, a hint (translated from `hint`, or filled in by code when it
 * is `''`; none when it is undefined), the message slot and `control`, whose id must be `id`.
 */
export function fieldHtml(id: string, label: MessageKey, control: string, hint?: MessageKey | ''): string {
  const hintHtml = hint === undefined ? '' : `<p class="field__hint" id="${id}-hint"${hint ? ` data-i18n="${hint}"` : ''}></p>`;
  return `<div class="field">
    <label for="${id}" data-i18n="${label}"></label>
    ${hintHtml}
    <p class="field__error" id="${id}-error" hidden></p>
    ${control}
  </div>`;
}

export interface Problem {
  /** The field it is about; none for a problem of the whole form (e.g. a locked account). */
  field?: Control;
  text: () => string;
}

export class FormProblems {
  private problems: Problem[] = [];

  /** `summary` holds a heading and an empty `ul`; `fields` are every field that can be wrong. */
  constructor(
    private readonly summary: HTMLElement,
    private readonly fields: Control[],
  ) {
    onLanguageChange(() => this.render());
  }

  /** Shows `problems` (none clears them) and moves focus to the summary when there are any. */
  show(problems: Problem[]): void {
    this.problems = problems;
    this.render();
    if (problems.length > 0) this.summary.focus();
  }

  private render(): void {
    for (const field of this.fields) {
      const problem = this.problems.find((p) => p.field === field);
      const error = $(field.ownerDocument, `#${field.id}-error`);
      error.hidden = !problem;
      error.textContent = problem ? problem.text() : '';
      const hint = field.ownerDocument.getElementById(`${field.id}-hint`);
      const described = [hint?.id, problem ? error.id : undefined].filter(Boolean).join(' ');
      if (described) field.setAttribute('aria-describedby', described);
      else field.removeAttribute('aria-describedby');
      field.setAttribute('aria-invalid', String(Boolean(problem)));
    }
    this.summary.hidden = this.problems.length === 0;
    $(this.summary, 'ul').replaceChildren(
      ...this.problems.map((p) => {
        const li = document.createElement('li');
        const field = p.field;
        if (!field) {
          li.textContent = p.text();
          return li;
        }
        const a = document.createElement('a');
        a.href = `#${field.id}`;
        a.textContent = p.text();
        a.addEventListener('click', (ev) => {
          ev.preventDefault();
          field.focus();
        });
        li.append(a);
        return li;
      }),
    );
  }
}
