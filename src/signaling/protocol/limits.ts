/**
 * Every size limit of the real-time protocol, defined once. The gateway's parsers, the
 * Mongoose schemas, the REST DTOs and (through JSDoc) the reference client import them.
 */

/** A guest's display name (join name, chat sender name), after trimming. */
export const DISPLAY_NAME_MAX_LENGTH = 64;

/** An account's name (sign-up), after trimming: signed-in participants appear under it. */
export const ACCOUNT_NAME_MAX_LENGTH = 100;

/** A registered meeting's passcode (set by its host; compared exactly). */
export const PASSCODE_MIN_LENGTH = 4;
export const PASSCODE_MAX_LENGTH = 32;

/** One chat message, after trimming. */
export const CHAT_TEXT_MAX_LENGTH = 2000;

/** A room id (a meeting code, or the last segment of a meeting URL), after normalising. */
export const ROOM_ID_MAX_LENGTH = 128;

/** A room id as sent (a whole meeting URL may be longer than the id it names). */
export const ROOM_ID_INPUT_MAX_LENGTH = 4096;

/** A signal payload (SDP or ICE candidate), in UTF-8 bytes. */
export const SIGNAL_MAX_BYTES = 64 * 1024;

/** How deeply an object signal payload may nest (an SDP or ICE object needs three levels). */
export const SIGNAL_MAX_DEPTH = 32;

/** A Socket.IO socket id, as a signal target. */
export const SOCKET_ID_MAX_LENGTH = 64;
