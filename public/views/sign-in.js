// @ts-check
// /login: the sign-in form and the sign-up form; both end signed in, on the page `?next=`
// names (a path of this client, e.g. the meeting whose link brought the user here) or home.
// Every rule is shown under its field from the start; what breaks one is said in plain words
// next to that field, and the server's refusals are put in the same words, never shown raw.
import { api, ApiError } from '../lib/api.js';
import { checkedField, commonFailureText, validateAll, whileBusy } from '../lib/form-field.js';
import { h, onSubmit, render, textOf } from '../lib/dom.js';
import { meetingCodeOf } from '../lib/meeting-code.js';
import { navigate } from '../lib/router.js';
import { session } from '../lib/session.js';

/** @type {typeof import('../../src/signaling/protocol/limits.js').ACCOUNT_NAME_MAX_LENGTH} */
const NAME_MAX_LENGTH = 100;
// As src/users/dto/register.dto.ts and password.validator.ts (bcrypt reads 72 bytes at most).
const USERNAME_MIN_LENGTH = 3;
const USERNAME_MAX_LENGTH = 32;
const USERNAME_CHARACTERS = /^[A-Za-z0-9._-]*$/;
const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_BYTES = 72;

/**
 * Where to go once signed in: `?next=` when it is a path of this client (one leading slash,
 * no backslash or control character, the same origin once resolved), else home.
 * @returns {string}
 */
export function nextPath() {
  const next = new URLSearchParams(location.search).get('next');
  // A backslash, tab or newline is read as, or dropped before, a slash: `/\evil` is `//evil`.
  // eslint-disable-next-line no-control-regex
  if (!next || !/^\/(?![/\\])/.test(next) || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  try {
    const url = new URL(next, location.origin);
    if (url.origin !== location.origin) return '/';
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/';
  }
}

/** @param {string} value */
function nameProblem(value) {
  const name = value.trim();
  if (!name) return 'Enter your name.';
  if (name.length > NAME_MAX_LENGTH)
    return `Your name is too long: use at most ${NAME_MAX_LENGTH} characters.`;
  return '';
}

/** @param {string} username */
function usernameProblem(username) {
  if (!username) return 'Choose a username.';
  if (!USERNAME_CHARACTERS.test(username))
    return 'Use only the letters a to z, digits, dots (.), underscores (_) or hyphens (-): no spaces or accented letters.';
  if (username.length < USERNAME_MIN_LENGTH)
    return `Your username is too short: use at least ${USERNAME_MIN_LENGTH} characters.`;
  if (username.length > USERNAME_MAX_LENGTH)
    return `Your username is too long: use at most ${USERNAME_MAX_LENGTH} characters.`;
  return '';
}

/** @param {string} password */
function newPasswordProblem(password) {
  if (!password) return 'Choose a password.';
  if ([...password].length < PASSWORD_MIN_LENGTH)
    return `Your password is too short: use at least ${PASSWORD_MIN_LENGTH} characters.`;
  const size = new TextEncoder().encode(password).length;
  if (size > PASSWORD_MAX_BYTES)
    return `Your password is too long: it counts as ${size} and the most is ${PASSWORD_MAX_BYTES}. Letters a to z, digits and common symbols count 1 each; accented letters, symbols such as € and emoji count 2 to 4.`;
  return '';
}

const PASSWORD_HINT = `At least ${PASSWORD_MIN_LENGTH} characters. At most ${PASSWORD_MAX_BYTES} letters a to z, digits and common symbols; accented letters, symbols such as € and emoji count 2 to 4 each.`;

/**
 * Signs in and goes where the user was heading.
 * @param {string} username
 * @param {string} password
 */
async function signIn(username, password) {
  const result = await api.signIn(username, password);
  session.save(result.token, result.user);
  await navigate(nextPath());
}

/** @param {string} id */
function formError(id) {
  return h('p', { id, class: 'form-error', role: 'alert' });
}

function signInForm() {
  const username = checkedField(
    'signin-username',
    'Username',
    { name: 'username', autocomplete: 'username', required: true, maxlength: '64' },
    { check: (value) => (value ? '' : 'Enter your username.') },
  );
  const password = checkedField(
    'signin-password',
    'Password',
    { name: 'password', type: 'password', autocomplete: 'current-password', required: true },
    { check: (value) => (value ? '' : 'Enter your password.'), revealable: true },
  );
  const error = formError('signin-error');

  return h(
    'form',
    {
      'aria-labelledby': 'signin-title',
      'aria-describedby': error.id,
      novalidate: true,
      onsubmit: onSubmit((fields, form) => {
        error.textContent = '';
        if (!validateAll([username, password])) return;
        return whileBusy(form, async () => {
          try {
            await signIn(textOf(fields, 'username'), textOf(fields, 'password'));
          } catch (failure) {
            // 400: a username or password no account can have (too long), so a wrong one.
            error.textContent = commonFailureText(failure) ?? 'Wrong username or password.';
            password.input.focus();
            password.input.select();
          }
        });
      }),
    },
    h('h2', { id: 'signin-title' }, 'Sign in'),
    username.element,
    password.element,
    error,
    h('button', { type: 'submit' }, 'Sign in'),
  );
}

function signUpForm() {
  const name = checkedField(
    'signup-name',
    'Name',
    {
      name: 'name',
      autocomplete: 'name',
      required: true,
      maxlength: String(NAME_MAX_LENGTH),
    },
    { hint: `Up to ${NAME_MAX_LENGTH} characters. Others see it in meetings.`, check: nameProblem },
  );
  const username = checkedField(
    'signup-username',
    'Username',
    {
      name: 'username',
      autocomplete: 'username',
      required: true,
      minlength: String(USERNAME_MIN_LENGTH),
      maxlength: String(USERNAME_MAX_LENGTH),
      autocapitalize: 'none',
      spellcheck: 'false',
    },
    {
      hint: `${USERNAME_MIN_LENGTH} to ${USERNAME_MAX_LENGTH} characters: letters a to z, digits, dots (.), underscores (_) or hyphens (-). You sign in with it.`,
      check: usernameProblem,
    },
  );
  const password = checkedField(
    'signup-password',
    'Password',
    {
      name: 'password',
      type: 'password',
      autocomplete: 'new-password',
      required: true,
      minlength: String(PASSWORD_MIN_LENGTH),
      // Characters, not bytes, but never stricter than the byte limit.
      maxlength: String(PASSWORD_MAX_BYTES),
    },
    { hint: PASSWORD_HINT, check: newPasswordProblem, revealable: true },
  );
  const fields = { name, username, password };
  const error = formError('signup-error');

  /**
   * A refusal in the words of the field it concerns.
   * @param {unknown} failure
   */
  const explain = (failure) => {
    const common = commonFailureText(failure);
    if (common) {
      error.textContent = common;
      return;
    }
    const status = failure instanceof ApiError ? failure.status : 0;
    if (status === 409) {
      username.showError('That username is taken. Choose another.');
      username.input.focus();
      return;
    }
    // 400: the rules the client knows say which field; else the field the server named.
    if (!validateAll([name, username, password])) return;
    const message = failure instanceof Error ? failure.message : '';
    const named = /** @type {(keyof typeof fields)[]} */ (['name', 'username', 'password']).find(
      (key) => message.startsWith(`${key} `),
    );
    if (status === 400 && named) {
      const field = fields[named];
      field.showError(
        `The server did not accept this ${named}. Check the rule below and try again.`,
      );
      field.input.focus();
      return;
    }
    error.textContent = 'Your account could not be created. Check each field and try again.';
  };

  return h(
    'form',
    {
      'aria-labelledby': 'signup-title',
      'aria-describedby': error.id,
      novalidate: true,
      onsubmit: onSubmit((data, form) => {
        error.textContent = '';
        if (!validateAll([name, username, password])) return;
        const account = {
          name: textOf(data, 'name').trim(),
          username: textOf(data, 'username'),
          password: textOf(data, 'password'),
        };
        return whileBusy(form, async () => {
          try {
            await api.register(account);
          } catch (failure) {
            explain(failure);
            return;
          }
          try {
            await signIn(account.username, account.password);
          } catch (failure) {
            error.textContent = `Your account was created, but signing in failed. ${
              commonFailureText(failure) ?? 'Sign in above.'
            }`;
          }
        });
      }),
    },
    h('h2', { id: 'signup-title' }, 'Create an account'),
    name.element,
    username.element,
    password.element,
    error,
    h('button', { type: 'submit' }, 'Sign up'),
  );
}

/**
 * Who is signed in already, and the way on without signing in again.
 * @returns {HTMLElement[]}
 */
function signedInNotice() {
  const user = session.user;
  if (!user) return [];
  const notice = h(
    'section',
    { class: 'signed-in', 'aria-labelledby': 'signed-in-text' },
    h('p', { id: 'signed-in-text' }, `You are signed in as ${user.name} (${user.username}).`),
    h('a', { href: nextPath(), 'data-link': true, class: 'button' }, 'Continue'),
    h('p', { class: 'field-hint' }, 'Or sign in with another account below.'),
  );
  return [notice];
}

/**
 * What brought the user here, when it was a meeting's link.
 * @returns {HTMLElement[]}
 */
function purpose() {
  const path = /^\/meet\/([^/?#]+)/.exec(nextPath());
  const code = path ? meetingCodeOf(path[1]) : undefined;
  return code
    ? [h('p', { class: 'lead' }, `Sign in or create an account to join the meeting ${code}.`)]
    : [];
}

export function signInView() {
  render(h('h1', {}, 'Welcome'), ...purpose(), ...signedInNotice(), signInForm(), signUpForm());
}
