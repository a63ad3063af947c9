/**
 * Form errors in the GOV.UK pattern, shared by every form: a summary (`role="alert"`) that takes
 * focus and links each message to its field; the field shows the same message next to it, is
 * `aria-invalid`, and points at the message with `aria-describedby` (after its hint, if any).
 *
 * Markup convention: a field `#x` has its message element `#x-error` and may have `#x-hint`.
 * Messages are functions, so they are re-rendered in the new language after a switch.
 */

import { errorKey, onLanguageChange, setText, t, type MessageKey } from './i18n';
import { ApiError } from './api';
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
  /** The field it is about; none for a problem of the whole form (e.g. too many attempts). */
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
    // Until the form leaves the page for good (a closed dialog): its fields are gone then.
    const off = onLanguageChange(() => {
      if (this.summary.isConnected) this.render();
      else off();
    });
  }

  /** Shows `problems` (none clears them) and moves focus to the summary when there are any. */
  show(problems: Problem[]): void {
    this.problems = problems;
    this.render();
    if (problems.length > 0) this.summary.focus();
  }

  private render(): void {
    // A form in a dialog that has closed since: nothing left to re-label after a language switch.
    if (!this.summary.isConnected) return;
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
    // "Correct the errors in the form" only heads problems the person can fix in a field; a
    // refusal of the whole request (no permission, locked account…) is headed as what it is.
    const heading = this.summary.querySelector<HTMLElement>('h2, h3');
    if (heading) setText(heading, this.problems.some((p) => p.field) ? 'formErrors' : 'refusedHeading');
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

/** Words for particular error codes where the form knows what they mean (e.g. a taken name). */
export type Overrides = Partial<Record<string, MessageKey>>;

/**
 * The message for a refused or failed request, by the server's error code (see `errorKey`),
 * or by `overrides` where the form knows better; never the server's own (English) message.
 */
export function refusalKey(e: unknown, overrides: Overrides = {}): MessageKey {
  const code = e instanceof ApiError ? e.code : 'unknown';
  return overrides[code] ?? errorKey(code);
}

/** A refused or failed request as a problem in words, about `field` when given. */
export function refusal(e: unknown, field?: Control, overrides: Overrides = {}): Problem {
  const key = refusalKey(e, overrides);
  return { field, text: () => t(key) };
}

/**
 * Markup of a group of checkboxes in a fieldset (one per item, named `name`, value its id),
 * those in `checked` ticked. Item names are user data: they are set as text, never as markup.
 */
export function checkboxGroup(name: string, legend: MessageKey, items: { id: number; name: string }[], checked: number[]): HTMLFieldSetElement {
  const set = document.createElement('fieldset');
  set.className = 'checks';
  const title = document.createElement('legend');
  title.dataset.i18n = legend;
  title.textContent = t(legend);
  set.append(title);
  for (const item of items) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.name = name;
    box.value = String(item.id);
    box.checked = checked.includes(item.id);
    label.append(box, ` ${item.name}`);
    set.append(label);
  }
  return set;
}

/** The ids ticked in the checkboxes named `name` below `root`. */
export function checkedIds(root: ParentNode, name: string): number[] {
  return [...root.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((b) => Number(b.value));
}
