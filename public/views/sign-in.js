// @ts-check
// /login: the sign-in form and the sign-up form; both end signed in, on the home page.
import { api } from '../lib/api.js';
import { errorMessage, field, h, onSubmit, render, textOf } from '../lib/dom.js';
import { navigate } from '../lib/router.js';
import { session } from '../lib/session.js';

/**
 * @param {string} username
 * @param {string} password
 */
async function signIn(username, password) {
  const result = await api.signIn(username, password);
  session.save(result.token, result.user);
  navigate('/');
}

export function signInView() {
  const error = h('p', { class: 'error', role: 'alert' });
  /** @param {() => Promise<void>} attempt */
  const reportFailure = async (attempt) => {
    try {
      await attempt();
    } catch (failure) {
      error.textContent = errorMessage(failure);
    }
  };

  const signInForm = h(
    'form',
    {
      'aria-labelledby': 'signin-title',
      onsubmit: onSubmit((fields) =>
        reportFailure(() => signIn(textOf(fields, 'username'), textOf(fields, 'password'))),
      ),
    },
    h('h2', { id: 'signin-title' }, 'Sign in'),
    field('Username', { name: 'username', autocomplete: 'username', required: true }),
    field('Password', {
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
    }),
    h('button', { type: 'submit' }, 'Sign in'),
  );

  const signUpForm = h(
    'form',
    {
      'aria-labelledby': 'signup-title',
      onsubmit: onSubmit((fields) =>
        reportFailure(async () => {
          const account = {
            name: textOf(fields, 'name'),
            username: textOf(fields, 'username'),
            password: textOf(fields, 'password'),
          };
          await api.register(account);
          await signIn(account.username, account.password);
        }),
      ),
    },
    h('h2', { id: 'signup-title' }, 'Create an account'),
    field('Name', { name: 'name', autocomplete: 'name', required: true }),
    field('Username', {
      name: 'username',
      autocomplete: 'username',
      required: true,
      pattern: '[A-Za-z0-9._\\-]{3,32}',
    }),
    field('Password', {
      name: 'password',
      type: 'password',
      autocomplete: 'new-password',
      required: true,
      minlength: '8',
    }),
    h('button', { type: 'submit' }, 'Sign up'),
  );

  render(h('h1', {}, 'Welcome'), error, signInForm, signUpForm);
}
