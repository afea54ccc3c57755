// @ts-check
// /: New meeting with its options (signed in) and Join by code.
import { api } from '../lib/api.js';
import { checkbox, errorMessage, field, h, onSubmit, render, select, textOf } from '../lib/dom.js';
import { PASSCODE_MAX_LENGTH, PASSCODE_MIN_LENGTH, WAITING_ROOM_MODES } from '../lib/protocol.js';
import { navigate } from '../lib/router.js';
import { session } from '../lib/session.js';

/** @typedef {import('../lib/api.js').MeetingSettings} MeetingSettings */
/** @typedef {import('../lib/protocol.js').WaitingRoomMode} WaitingRoomMode */

/**
 * The options as the POST /meetings body: empty title and passcode left out (none).
 * @param {FormData} fields
 * @returns {MeetingSettings}
 */
function settingsOf(fields) {
  /** @type {MeetingSettings} */
  const settings = {
    waitingRoom: /** @type {WaitingRoomMode} */ (textOf(fields, 'waitingRoom') || 'off'),
    muteOnEntry: fields.has('muteOnEntry'),
    allowGuests: fields.has('allowGuests'),
  };
  const title = textOf(fields, 'title').trim();
  if (title) settings.title = title;
  // Taken exactly as typed: what the host types is what joiners must type.
  const passcode = textOf(fields, 'passcode');
  if (passcode) settings.passcode = passcode;
  return settings;
}

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
        'form',
        {
          'aria-labelledby': 'create-title',
          onsubmit: onSubmit(async (fields, form) => {
            error.textContent = '';
            form.inert = true;
            try {
              const meeting = await api.createMeeting(settingsOf(fields));
              navigate(`/meet/${meeting.code}`);
            } catch (failure) {
              error.textContent = errorMessage(failure);
              form.inert = false;
            }
          }),
        },
        h('h2', { id: 'create-title' }, 'Start a meeting'),
        field('Title (optional)', { name: 'title', maxlength: '200', autocomplete: 'off' }),
        field('Passcode (optional)', {
          name: 'passcode',
          minlength: String(PASSCODE_MIN_LENGTH),
          maxlength: String(PASSCODE_MAX_LENGTH),
          autocomplete: 'off',
          'aria-describedby': 'passcode-hint',
        }),
        h(
          'small',
          { id: 'passcode-hint', class: 'hint' },
          `${PASSCODE_MIN_LENGTH}-${PASSCODE_MAX_LENGTH} characters; joiners must type it.`,
        ),
        select('Waiting room', { name: 'waitingRoom' }, WAITING_ROOM_MODES, 'off'),
        checkbox('Mute participants when they join', { name: 'muteOnEntry' }),
        checkbox('Allow guests (people who are not signed in)', {
          name: 'allowGuests',
          checked: true,
        }),
        h('button', { type: 'submit' }, 'New meeting'),
      )
    : h(
        'p',
        {},
        h('a', { href: '/login', 'data-link': true }, 'Sign in'),
        ' to create meetings and keep a history.',
      );

  render(h('h1', {}, 'Meetings'), error, create, join);
}
