// @ts-check
// The real-time protocol as the client sees it. Types come from the server's declarations;
// limits are repeated here (the browser cannot import TypeScript) but typed as the server's
// literal values, so that changing a limit in limits.ts fails the client's typecheck.

/** @typedef {import('../../src/signaling/protocol/events.js').ClientToServerEvents} ClientToServerEvents */
/** @typedef {import('../../src/signaling/protocol/events.js').ServerToClientEvents} ServerToClientEvents */
/** @typedef {import('../../src/signaling/protocol/events.js').JoinResult} JoinResult */
/** @typedef {import('../../src/signaling/protocol/events.js').AckResult<JoinResult | import('../../src/signaling/protocol/events.js').WaitingResult>} JoinAnswer */
/** @typedef {import('../../src/signaling/protocol/events.js').AckResult} ActionAnswer */
/** @typedef {import('../../src/signaling/protocol/events.js').MediaState} MediaState */
/** @typedef {import('../../src/signaling/protocol/events.js').IceServersResponse} IceServersResponse */
/** @typedef {import('../../src/signaling/protocol/events.js').SignalPayload} SignalPayload */
/** @typedef {import('../../src/signaling/protocol/events.js').Role} Role */
/** @typedef {import('../../src/signaling/protocol/events.js').LobbyEntry} LobbyEntry */
/** @typedef {import('../../src/signaling/protocol/events.js').MeetingState} MeetingState */
/** @typedef {import('../../src/signaling/protocol/events.js').WaitingRoomMode} WaitingRoomMode */
/** @typedef {import('../../src/signaling/protocol/events.js').SignalingErrorCode} SignalingErrorCode */

/** @type {typeof import('../../src/signaling/protocol/limits.js').DISPLAY_NAME_MAX_LENGTH} */
export const DISPLAY_NAME_MAX_LENGTH = 64;

/** @type {typeof import('../../src/signaling/protocol/limits.js').CHAT_TEXT_MAX_LENGTH} */
export const CHAT_TEXT_MAX_LENGTH = 2000;

/** @type {typeof import('../../src/signaling/protocol/limits.js').PASSCODE_MIN_LENGTH} */
export const PASSCODE_MIN_LENGTH = 4;

/** @type {typeof import('../../src/signaling/protocol/limits.js').PASSCODE_MAX_LENGTH} */
export const PASSCODE_MAX_LENGTH = 32;

/** @type {{ value: WaitingRoomMode, label: string }[]} the waiting room's settings, as offered */
export const WAITING_ROOM_MODES = [
  { value: 'off', label: 'Off: everyone enters' },
  { value: 'guests', label: 'Guests wait to be let in' },
  { value: 'everyone', label: 'Everyone waits to be let in' },
];

/**
 * What to tell the user about a refusal, by its code. A `Record` over every code, so a code
 * added on the server fails the typecheck until it has words here.
 * @type {Record<SignalingErrorCode, string>}
 */
const ERROR_TEXT = {
  'invalid-argument': 'The server did not accept that request.',
  'not-in-room': 'You are not in the meeting (yet).',
  'target-not-in-room': 'That person is no longer in the meeting.',
  'room-full': 'The meeting is full.',
  banned: 'You were removed from this meeting and cannot rejoin.',
  'meeting-locked': 'The meeting is locked: nobody new can join.',
  'guests-not-allowed': 'This meeting is for signed-in users only. Sign in to join.',
  'passcode-required': 'This meeting needs a passcode.',
  'wrong-passcode': 'Wrong passcode. Try again.',
  'not-allowed': 'Only a host (or, for some actions, a co-host) can do that.',
  'not-found': 'That person is no longer in the meeting or the waiting room.',
  'rate-limited': 'Too many attempts. Wait a moment and try again.',
  unavailable: 'The service is briefly unavailable. Try again in a moment.',
  internal: 'Something went wrong on the server. Try again.',
};

/**
 * A readable sentence for a refusal's code (a general one for codes this client does not know:
 * the server's own message is not meant for users).
 * @param {{ code: string, message?: string }} error
 */
export function describeError(error) {
  return Object.hasOwn(ERROR_TEXT, error.code)
    ? ERROR_TEXT[/** @type {SignalingErrorCode} */ (error.code)]
    : 'The server refused that. Try again.';
}
