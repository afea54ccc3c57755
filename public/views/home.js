// @ts-check
// /: New meeting (signed in) and Join by code.
import { api } from '../lib/api.js';
import { errorMessage, field, h, onSubmit, render, textOf } from '../lib/dom.js';
import { navigate } from '../lib/router.js';
import { session } from '../lib/session.js';

export function homeView() {
  const error = h('p', { class: 'error', role: 'alert' });

  const join = h(
    'form',
    {
      'aria-labelledby': 'join-title',
      onsubmit: onSubmit((fields) => {
        const code = textOf(fields, 'code').trim();
        if (code) navigate(`/meet/${encodeURIComponent(code)}`);
      }),
    },
    h('h2', { id: 'join-title' }, 'Join by code'),
    field('Meeting code', { name: 'code', required: true, placeholder: 'abc-defg-hij' }),
    h('button', { type: 'submit' }, 'Join'),
  );

  const create = session.user
    ? h(
        'button',
        {
          type: 'button',
          onclick: async () => {
            try {
              const meeting = await api.createMeeting();
              navigate(`/meet/${meeting.code}`);
            } catch (failure) {
              error.textContent = errorMessage(failure);
            }
          },
        },
        'New meeting',
      )
    : h(
        'p',
        {},
        h('a', { href: '/login', 'data-link': true }, 'Sign in'),
        ' to create meetings and keep a history.',
      );

  render(h('h1', {}, 'Meetings'), error, create, join);
}
