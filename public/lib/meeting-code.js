// @ts-check
// Meeting codes as people type and paste them: `abc-defg-hij` in any case, with or without
// the dashes or with spaces, or a whole meeting link. The server treats codes the same way
// (src/signaling/protocol/room-id.ts); the client's pages always show the lower-case form.

/** A meeting code as the server generates it. */
export const MEETING_CODE_PATTERN = /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/;

/**
 * The meeting code in what the user typed or pasted, lower-cased with its dashes; undefined
 * when it holds none.
 * @param {string} input e.g. `ABC-DEFG-HIJ`, `abcdefghij`, `https://host/meet/abc-defg-hij`
 * @returns {string | undefined}
 */
export function meetingCodeOf(input) {
  let text = input.trim();
  if (/^https?:\/\//i.test(text) || text.includes('/')) {
    try {
      const url = new URL(text, 'http://localhost');
      text = decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '');
    } catch {
      return undefined;
    }
  }
  const letters = text.replace(/[\s-]/g, '').toLowerCase();
  if (!/^[a-z]{10}$/.test(letters)) return undefined;
  const code = `${letters.slice(0, 3)}-${letters.slice(3, 7)}-${letters.slice(7)}`;
  // Separators (dashes, spaces) only where a code has them: "hello world" is not a code.
  const grouped = text.replace(/[\s-]+/g, '-').toLowerCase();
  return grouped === letters || grouped === code ? code : undefined;
}
