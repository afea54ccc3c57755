// @ts-check
// Form fields that say what they expect: each rule shown under its field from the start, what
// breaks it said in plain words right under the input (linked for screen readers), focus on
// the first wrong field; and the plain words for failures every form may meet.
import { ApiError } from './api.js';
import { h } from './dom.js';

/** @typedef {import('./dom.js').AttributeValue} AttributeValue */

const TOO_MANY_ATTEMPTS = 'Too many attempts. Wait a minute and try again.';
const UNREACHABLE = 'Could not reach the server. Check your connection.';
const SERVER_TROUBLE = 'Something went wrong on our side. Try again in a moment.';

/**
 * @typedef {object} CheckedField
 * @property {HTMLElement} element what to put in the form: label, input, error and hint
 * @property {HTMLInputElement} input
 * @property {() => boolean} validate shows the rule the value breaks, if any; true when none
 * @property {(message: string) => void} showError shows a message under the field ('' clears)
 */

/**
 * A labelled input with its rule shown under it from the start (`hint`), and the error for the
 * value (`check`: '' when fine) shown right under the input: on submit, when the user leaves a
 * field they typed in, and again as they correct a field marked wrong. Both are linked to the
 * input with aria-describedby; the error is announced when it appears.
 * @param {string} id the input's id, and the prefix of its hint's and error's
 * @param {string} label
 * @param {Record<string, AttributeValue>} attributes the input's
 * @param {{ hint?: string, check?: (value: string) => string, revealable?: boolean }}
 *   [options] `revealable`: a password, with a Show button
 * @returns {CheckedField}
 */
export function checkedField(id, label, attributes, options = {}) {
  const { check = () => '', revealable = false } = options;
  const input = h('input', { ...attributes, id });
  const error = h('p', { id: `${id}-error`, class: 'field-error', role: 'alert' });
  const hint = options.hint
    ? h('p', { id: `${id}-hint`, class: 'field-hint' }, options.hint)
    : undefined;

  /** @param {string} message */
  const showError = (message) => {
    error.textContent = message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    const describedBy = [message ? error.id : '', hint?.id ?? ''].filter(Boolean).join(' ');
    if (describedBy) input.setAttribute('aria-describedby', describedBy);
    else input.removeAttribute('aria-describedby');
  };
  const validate = () => {
    const message = check(input.value);
    showError(message);
    return !message;
  };
  const marked = () => input.getAttribute('aria-invalid') === 'true';
  // Leaving a field untouched says nothing: tabbing through a form is no mistake.
  input.addEventListener('blur', (event) => {
    // Leaving for the form's submit button: the submit checks every field, and an error shown
    // now would move the button from under the pointer before the click lands.
    const to = event.relatedTarget;
    if (to instanceof HTMLButtonElement && to.type === 'submit' && to.form === input.form) return;
    if (input.value !== '' || marked()) validate();
  });
  input.addEventListener('input', () => {
    if (marked()) validate();
  });
  showError('');

  /** @type {Node} */
  let control = input;
  if (revealable) {
    const toggle = h(
      'button',
      {
        type: 'button',
        class: 'reveal',
        'aria-pressed': 'false',
        'aria-controls': id,
        'aria-label': `Show ${label.toLowerCase()}`,
        onclick: () => {
          const shown = input.type === 'password';
          input.type = shown ? 'text' : 'password';
          toggle.setAttribute('aria-pressed', String(shown));
        },
      },
      'Show',
    );
    control = h('div', { class: 'input-row' }, input, toggle);
  }
  const element = h(
    'div',
    { class: 'form-field' },
    h('label', { for: id }, label),
    control,
    error,
    hint ?? [],
  );
  return { element, input, validate, showError };
}

/**
 * Checks every field, showing each one's error, and moves focus to the first wrong one.
 * @param {CheckedField[]} fields
 * @returns {boolean} whether all are fine
 */
export function validateAll(fields) {
  const wrong = fields.filter((field) => !field.validate());
  wrong[0]?.input.focus();
  return wrong.length === 0;
}

/**
 * The plain words for a failure any form may meet (no connection, too many attempts, the
 * server's trouble); undefined for a refusal the form must explain itself.
 * @param {unknown} failure
 * @returns {string | undefined}
 */
export function commonFailureText(failure) {
  if (!(failure instanceof ApiError)) return UNREACHABLE;
  if (failure.status === 429) return TOO_MANY_ATTEMPTS;
  if (failure.status >= 500) return SERVER_TROUBLE;
  return undefined;
}

/**
 * Runs a form's request with its submit button disabled, so that one click sends it once.
 * @param {HTMLFormElement} form
 * @param {() => Promise<void>} work
 */
export async function whileBusy(form, work) {
  const buttons = [...form.querySelectorAll('button[type="submit"]')];
  form.setAttribute('aria-busy', 'true');
  for (const button of buttons) button.setAttribute('disabled', '');
  try {
    await work();
  } finally {
    form.removeAttribute('aria-busy');
    for (const button of buttons) button.removeAttribute('disabled');
  }
}
