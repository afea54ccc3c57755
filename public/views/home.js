// @ts-check
// /: New meeting with its options (signed in) and Join by code, each field's rule under it and
// what is wrong with a value said next to it in plain words.
import { api, ApiError } from '../lib/api.js';
import { checkbox, h, onSubmit, render, select, textOf } from '../lib/dom.js';
import { checkedField, commonFailureText, validateAll, whileBusy } from '../lib/form-field.js';
import { meetingCodeOf } from '../lib/meeting-code.js';
import { PASSCODE_MAX_LENGTH, PASSCODE_MIN_LENGTH, WAITING_ROOM_MODES } from '../lib/protocol.js';
import { navigate } from '../lib/router.js';
import { session } from '../lib/session.js';

/** @typedef {import('../lib/api.js').MeetingSettings} MeetingSettings */
/** @typedef {import('../lib/protocol.js').WaitingRoomMode} WaitingRoomMode */

/** As CreateMeetingDto's title (src/meetings/dto/meetings.dto.ts), after trimming. */
const TITLE_MAX_LENGTH = 200;

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

/**
 * The meeting code in what the user typed or pasted (see meetingCodeOf), its separators, if
 * any, where a code has them: "hello world" has ten letters but is no code.
 * @param {string} input
 * @returns {string | undefined}
 */
function joinCodeOf(input) {
  const code = meetingCodeOf(input);
  if (!code || input.includes('/')) return code;
  const groups = input
    .trim()
    .split(/[\s-]+/)
    .map((group) => group.length)
    .join();
  return groups === '10' || groups === '3,4,3' ? code : undefined;
}

/**
 * The join form: a code in any case, with spaces or without dashes, or a whole meeting link;
 * anything else is explained next to the field and goes nowhere.
 */
function joinForm() {
  const code = checkedField(
    'join-code',
    'Meeting code',
    {
      name: 'code',
      required: true,
      placeholder: 'abc-defg-hij',
      autocomplete: 'off',
      autocapitalize: 'none',
      spellcheck: 'false',
    },
    {
      hint: 'Type the code, like abc-defg-hij, or paste the meeting link.',
      check: (value) => {
        if (!value.trim()) return 'Enter a meeting code, or paste the meeting link.';
        return joinCodeOf(value)
          ? ''
          : 'That is not a meeting code. Codes look like abc-defg-hij, or paste the meeting link.';
      },
    },
  );
  return h(
    'form',
    {
      'aria-labelledby': 'join-title',
      novalidate: true,
      onsubmit: onSubmit((fields) => {
        if (!validateAll([code])) return;
        const meetingCode = joinCodeOf(textOf(fields, 'code'));
        if (meetingCode) void navigate(`/meet/${meetingCode}`);
      }),
    },
    h('h2', { id: 'join-title' }, 'Join by code'),
    code.element,
    h('button', { type: 'submit' }, 'Join'),
  );
}

/** The options of a new meeting, checked as the server will, and the button that creates it. */
function createForm() {
  const title = checkedField(
    'create-title-input',
    'Title (optional)',
    { name: 'title', maxlength: String(TITLE_MAX_LENGTH), autocomplete: 'off' },
    {
      hint: `Up to ${TITLE_MAX_LENGTH} characters. Everyone in the meeting sees it.`,
      check: (value) =>
        value.trim().length > TITLE_MAX_LENGTH
          ? `The title is too long: use at most ${TITLE_MAX_LENGTH} characters.`
          : '',
    },
  );
  const passcode = checkedField(
    'create-passcode',
    'Passcode (optional)',
    {
      name: 'passcode',
      minlength: String(PASSCODE_MIN_LENGTH),
      maxlength: String(PASSCODE_MAX_LENGTH),
      autocomplete: 'off',
    },
    {
      hint: `${PASSCODE_MIN_LENGTH} to ${PASSCODE_MAX_LENGTH} characters; joiners must type it exactly. Leave it empty for none.`,
      check: (value) => {
        const length = [...value].length;
        if (length === 0) return '';
        if (length < PASSCODE_MIN_LENGTH)
          return `The passcode is too short: use at least ${PASSCODE_MIN_LENGTH} characters, or leave it empty.`;
        if (length > PASSCODE_MAX_LENGTH)
          return `The passcode is too long: use at most ${PASSCODE_MAX_LENGTH} characters.`;
        return '';
      },
    },
  );
  const error = h('p', { id: 'create-error', class: 'form-error', role: 'alert' });

  /**
   * A refusal in plain words, next to the field it concerns when it names one.
   * @param {unknown} failure
   */
  const explain = (failure) => {
    const common = commonFailureText(failure);
    const status = failure instanceof ApiError ? failure.status : 0;
    const message = failure instanceof Error ? failure.message : '';
    if (common) {
      error.textContent = common;
    } else if (status === 401) {
      // The session expired or was signed out elsewhere (the token is forgotten already).
      error.replaceChildren(
        'You are no longer signed in. ',
        h('a', { href: '/login', 'data-link': true }, 'Sign in again'),
        ' to create a meeting.',
      );
    } else if (status === 400 && message.startsWith('passcode ')) {
      passcode.showError(
        `The passcode was not accepted: use ${PASSCODE_MIN_LENGTH} to ${PASSCODE_MAX_LENGTH} characters, or leave it empty.`,
      );
      passcode.input.focus();
    } else if (status === 400 && message.startsWith('title ')) {
      title.showError(`The title was not accepted: use at most ${TITLE_MAX_LENGTH} characters.`);
      title.input.focus();
    } else {
      error.textContent = 'The meeting could not be created. Check the options and try again.';
    }
  };

  return h(
    'form',
    {
      'aria-labelledby': 'create-title',
      novalidate: true,
      onsubmit: onSubmit((fields, form) => {
        error.textContent = '';
        if (!validateAll([title, passcode])) return;
        return whileBusy(form, async () => {
          try {
            const meeting = await api.createMeeting(settingsOf(fields));
            await navigate(`/meet/${meeting.code}`);
          } catch (failure) {
            explain(failure);
          }
        });
      }),
    },
    h('h2', { id: 'create-title' }, 'Start a meeting'),
    title.element,
    passcode.element,
    select('Waiting room', { name: 'waitingRoom' }, WAITING_ROOM_MODES, 'off'),
    checkbox('Mute participants when they join', { name: 'muteOnEntry' }),
    checkbox('Allow guests (people who are not signed in)', {
      name: 'allowGuests',
      checked: true,
    }),
    error,
    h('button', { type: 'submit' }, 'New meeting'),
  );
}

export function homeView() {
  const create = session.user
    ? createForm()
    : h(
        'p',
        {},
        h('a', { href: '/login', 'data-link': true }, 'Sign in'),
        ' to create meetings and keep a history.',
      );

  render(h('h1', {}, 'Meetings'), create, joinForm());
}
