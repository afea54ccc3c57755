// @ts-check
// The real-time protocol as the client sees it. Types come from the server's declarations;
// limits are repeated here (the browser cannot import TypeScript) but typed as the server's
// literal values, so that changing a limit in limits.ts fails the client's typecheck.

/** @typedef {import('../../src/signaling/protocol/events.js').ClientToServerEvents} ClientToServerEvents */
/** @typedef {import('../../src/signaling/protocol/events.js').ServerToClientEvents} ServerToClientEvents */
/** @typedef {import('../../src/signaling/protocol/events.js').JoinResult} JoinResult */
/** @typedef {import('../../src/signaling/protocol/events.js').AckResult<JoinResult | import('../../src/signaling/protocol/events.js').WaitingResult>} JoinAnswer */
/** @typedef {import('../../src/signaling/protocol/events.js').MediaState} MediaState */
/** @typedef {import('../../src/signaling/protocol/events.js').IceServersResponse} IceServersResponse */
/** @typedef {import('../../src/signaling/protocol/events.js').SignalPayload} SignalPayload */

/** @type {typeof import('../../src/signaling/protocol/limits.js').DISPLAY_NAME_MAX_LENGTH} */
export const DISPLAY_NAME_MAX_LENGTH = 64;

/** @type {typeof import('../../src/signaling/protocol/limits.js').CHAT_TEXT_MAX_LENGTH} */
export const CHAT_TEXT_MAX_LENGTH = 2000;
