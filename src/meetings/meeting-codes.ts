import { randomInt } from 'node:crypto';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * A new meeting code in the familiar `xxx-xxxx-xxx` form: 10 random lower-case letters from
 * the CSPRNG (26^10 ≈ 1.4e14 codes), so codes cannot be guessed or enumerated.
 */
export function generateMeetingCode(): string {
  const letters = Array.from({ length: 10 }, () => LETTERS[randomInt(LETTERS.length)]).join('');
  return `${letters.slice(0, 3)}-${letters.slice(3, 7)}-${letters.slice(7)}`;
}
