import { randomInt } from 'node:crypto';
import { isMeetingCode, normalizeRoomId } from '../signaling/protocol/room-id.js';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * A new meeting code in the familiar `xxx-xxxx-xxx` form: 10 random lower-case letters from
 * the CSPRNG (26^10 ≈ 1.4e14 codes), so codes cannot be guessed or enumerated.
 */
export function generateMeetingCode(): string {
  const letters = Array.from({ length: 10 }, () => LETTERS[randomInt(LETTERS.length)]).join('');
  return `${letters.slice(0, 3)}-${letters.slice(3, 7)}-${letters.slice(7)}`;
}

/**
 * The meeting code a client means (a code or a meeting URL, as `normalizeRoomId` reads them),
 * lower-cased: `ABC-DEFG-HIJ` is `abc-defg-hij`. Undefined for anything that cannot be a
 * generated code, which therefore cannot be a registered meeting (no lookup needed).
 */
export function toMeetingCode(raw: unknown): string | undefined {
  // normalizeRoomId lower-cases anything in the code form.
  const roomId = normalizeRoomId(raw);
  return roomId !== undefined && isMeetingCode(roomId) ? roomId : undefined;
}
