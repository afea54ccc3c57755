import { ROOM_ID_INPUT_MAX_LENGTH, ROOM_ID_MAX_LENGTH } from './limits.js';

/**
 * The room a client means: a meeting code (`abc-defg-hij`) or, as the existing client sends,
 * the meeting page URL (`http://host/meet/abc-defg-hij`), whose last non-empty path segment
 * (decoded) is the room. Returns undefined for anything that does not give 1-128 characters.
 */
export function normalizeRoomId(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > ROOM_ID_INPUT_MAX_LENGTH) return undefined;
  let roomId = raw.trim();
  if (/^https?:\/\//i.test(roomId)) {
    let url: URL;
    try {
      url = new URL(roomId);
    } catch {
      return undefined;
    }
    const segment = url.pathname
      .split('/')
      .filter((part) => part !== '')
      .pop();
    if (segment === undefined) return undefined;
    try {
      roomId = decodeURIComponent(segment).trim();
    } catch {
      return undefined;
    }
  }
  if (roomId.length < 1 || roomId.length > ROOM_ID_MAX_LENGTH) return undefined;
  // Meeting codes are lower-case: ABC-DEFG-HIJ is the meeting abc-defg-hij.
  return MEETING_CODE_PATTERN.test(roomId) ? roomId.toLowerCase() : roomId;
}

/** The form of a meeting code (`abc-defg-hij`), in any letter case. */
export const MEETING_CODE_PATTERN = /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/i;

/** Whether a (normalised) room id can be a registered meeting's code. */
export function isMeetingCode(roomId: string): boolean {
  return MEETING_CODE_PATTERN.test(roomId) && roomId === roomId.toLowerCase();
}
