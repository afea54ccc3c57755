// @ts-check
// /meet/<code>: signed-in users go straight into the call; guests first give a display name.
import { startCall } from '../call/call.js';
import { field, h, onSubmit, render, textOf } from '../lib/dom.js';
import { DISPLAY_NAME_MAX_LENGTH } from '../lib/protocol.js';
import { session } from '../lib/session.js';

/** @param {import('../lib/router.js').Page} page */
export function meetingView({ params: [code], signal }) {
  if (session.user) return startCall(code, session.user.name, signal);
  const lobby = h(
    'form',
    {
      'aria-labelledby': 'lobby-title',
      onsubmit: onSubmit((fields, form) => {
        // One call per page: a second submit while the camera opens would start another.
        form.inert = true;
        const name = textOf(fields, 'name').trim() || 'Guest';
        return startCall(code, name, signal);
      }),
    },
    h('h2', { id: 'lobby-title' }, `Join ${code} as a guest`),
    field('Your name', {
      name: 'name',
      maxlength: String(DISPLAY_NAME_MAX_LENGTH),
      required: true,
      autocomplete: 'name',
    }),
    h('button', { type: 'submit' }, 'Join meeting'),
  );
  render(
    h('h1', {}, code),
    lobby,
    h('p', {}, 'or ', h('a', { href: '/login', 'data-link': true }, 'sign in')),
  );
}
