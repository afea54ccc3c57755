// @ts-check
// The DOM helpers every view uses: building elements, showing a page, notifications.

/** @typedef {string | boolean | undefined | ((event: Event) => unknown)} AttributeValue */
/** @typedef {Node | string} Child */

/**
 * An element with its attributes and children. Function values are listeners (`onclick`
 * listens to `click`); `true` sets an empty attribute, `false` and `undefined` none.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttributeValue>} [attributes]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(key.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(key, '');
    else if (value !== false && value !== undefined) element.setAttribute(key, value);
  }
  element.append(...children.flat());
  return element;
}

/**
 * A labelled text input.
 * @param {string} label
 * @param {Record<string, AttributeValue>} attributes
 */
export function field(label, attributes) {
  return h('label', {}, label, h('input', attributes));
}

/**
 * A labelled checkbox, its label after the box.
 * @param {string} label
 * @param {Record<string, AttributeValue>} attributes
 */
export function checkbox(label, attributes) {
  return h('label', { class: 'check' }, h('input', { ...attributes, type: 'checkbox' }), label);
}

/**
 * A labelled drop-down list.
 * @param {string} label
 * @param {Record<string, AttributeValue>} attributes
 * @param {{ value: string, label: string }[]} options
 * @param {string} selected
 */
export function select(label, attributes, options, selected) {
  return h(
    'label',
    {},
    label,
    h(
      'select',
      attributes,
      options.map((option) =>
        h('option', { value: option.value, selected: option.value === selected }, option.label),
      ),
    ),
  );
}

/**
 * A form's submit listener: the page stays, the handler gets the form's fields.
 * @param {(fields: FormData, form: HTMLFormElement) => unknown} handle
 * @returns {(event: Event) => unknown}
 */
export function onSubmit(handle) {
  return (event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.currentTarget);
    return handle(new FormData(form), form);
  };
}

/**
 * A submitted text field's value.
 * @param {FormData} fields
 * @param {string} name
 */
export function textOf(fields, name) {
  return String(fields.get(name) ?? '');
}

/**
 * An element of index.html the client cannot work without.
 * @param {string} id
 */
function required(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html has no #${id}`);
  return element;
}

const main = required('app');
const toasts = required('toasts');
export const navBar = required('nav');

/**
 * Replaces the page's content and moves focus to it, so that screen readers announce it;
 * without scrolling (a page taller than the window would open scrolled past the top bar).
 * @param {...Child} children
 */
export function render(...children) {
  main.replaceChildren(...children);
  main.focus({ preventScroll: true });
}

/** How many notifications show at once: a new one pushes the oldest out. */
const TOASTS_SHOWN = 4;

/**
 * @typedef {object} ToastOptions
 * @property {'info' | 'error'} [kind] errors are announced at once (alerts) and stay longer
 * @property {number} [timeoutMs] how long it shows; 0 until closed
 * @property {string} [id] a notification with the same id replaces the earlier one
 */

/**
 * Tells the user something in a notification at the top of the page, on every page. They
 * stack (newest last), close by themselves after a few seconds or with their close button,
 * and are read out by screen readers.
 * @param {string} message
 * @param {ToastOptions} [options]
 */
export function say(message, { kind = 'info', timeoutMs, id } = {}) {
  if (!message) return;
  const key = id ?? `${kind}:${message}`;
  for (const old of toasts.querySelectorAll('.toast'))
    if (old instanceof HTMLElement && old.dataset.key === key) old.remove();
  /** @type {HTMLDivElement} */
  const toast = h(
    'div',
    // The container is the polite live region; an error is an alert of its own.
    { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : undefined, 'data-key': key },
    h('span', {}, message),
    h(
      'button',
      {
        type: 'button',
        class: 'close',
        'aria-label': 'Dismiss notification',
        onclick: () => void toast.remove(),
      },
      '×',
    ),
  );
  toasts.append(toast);
  while (toasts.children.length > TOASTS_SHOWN) toasts.firstElementChild?.remove();
  const shown = timeoutMs ?? (kind === 'error' ? 10_000 : 6_000);
  if (shown > 0) setTimeout(() => toast.remove(), shown);
}

/**
 * Takes back the notification with this id (what it said is shown elsewhere now).
 * @param {string} id
 */
export function unsay(id) {
  for (const old of toasts.querySelectorAll('.toast'))
    if (old instanceof HTMLElement && old.dataset.key === id) old.remove();
}

/**
 * Saves a file the page fetched itself (say, with the bearer token a plain link cannot send):
 * a temporary object URL clicked as a download link, then released.
 * @param {Blob} blob
 * @param {string} filename
 */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // Not at once: the browser may still be reading the blob for the download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
