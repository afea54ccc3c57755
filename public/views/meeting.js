// @ts-check
// /meet/<code>: the meeting's pre-join screen, then the call. Codes are read as people type
// and paste them (any case, a whole link) and shown in their lower-case form; a code nobody
// registered is answered "no such meeting" rather than an empty call.
import { startCall } from '../call/call.js';
import { preJoin } from '../call/prejoin.js';
import { LocalMedia } from '../call/local-media.js';
import { api, ApiError } from '../lib/api.js';
import { h, render } from '../lib/dom.js';
import { meetingCodeOf } from '../lib/meeting-code.js';
import { session } from '../lib/session.js';

/** @typedef {import('../lib/api.js').Meeting} Meeting */

/**
 * A screen instead of the meeting, with links onwards.
 * @param {string} id the test hook
 * @param {string} title
 * @param {string} detail
 * @param {Node[]} [actions]
 */
function screen(id, title, detail, actions = []) {
  render(
    h(
      'section',
      { id, class: 'screen end', 'aria-labelledby': `${id}-title` },
      h('h1', { id: `${id}-title` }, title),
      h('p', {}, detail),
      h(
        'p',
        { class: 'controls' },
        ...actions,
        h('a', { href: '/', 'data-link': true }, 'Back to home'),
      ),
    ),
  );
}

/** @param {string} shown what the user asked for, as they wrote it */
function noSuchMeeting(shown) {
  screen(
    'no-such-meeting',
    'No such meeting',
    `There is no meeting with the code “${shown}”. Check the code or the link you were given.`,
    session.user
      ? [h('a', { href: '/', 'data-link': true, class: 'button' }, 'Start a meeting')]
      : [],
  );
}

/**
 * The meeting's public registration; a stale token is dropped and the request made again.
 * @param {string} code
 * @returns {Promise<Meeting>}
 */
async function lookUp(code) {
  try {
    return await api.meeting(code);
  } catch (failure) {
    // api cleared a token the server refused: the meeting is public, ask again without it.
    if (failure instanceof ApiError && failure.status === 401) return api.meeting(code);
    throw failure;
  }
}

/**
 * @param {string} code
 * @param {AbortSignal} signal
 * @param {{ name: string, passcode?: string }} [rejoin] straight back in, with these
 */
async function enter(code, signal, rejoin) {
  render(h('p', { class: 'loading', role: 'status' }, 'Opening the meeting…'));
  /** @type {Meeting} */
  let meeting;
  try {
    meeting = await lookUp(code);
  } catch (failure) {
    if (signal.aborted) return;
    if (failure instanceof ApiError && failure.status === 404) return noSuchMeeting(code);
    return screen(
      'unreachable',
      'Could not open the meeting',
      'The server could not be reached. Check your connection and try again.',
      [
        h(
          'button',
          { type: 'button', onclick: () => void enter(code, signal, rejoin) },
          'Try again',
        ),
      ],
    );
  }
  if (signal.aborted) return;
  if (!meeting.allowGuests && !session.user) {
    return screen(
      'sign-in-required',
      'Sign in to join this meeting',
      'The host only lets signed-in people join.',
      [
        h(
          'a',
          {
            href: `/login?next=${encodeURIComponent(`/meet/${code}`)}`,
            'data-link': true,
            class: 'button',
          },
          'Sign in',
        ),
      ],
    );
  }
  const ready = rejoin
    ? { ...rejoin, name: session.user?.name ?? rejoin.name, media: await LocalMedia.open() }
    : await preJoin({ code, meeting, signal });
  if (!ready) return;
  await startCall({
    ...ready,
    code,
    meeting,
    signal,
    onRejoin: (passcode) => void enter(code, signal, { name: ready.name, passcode }),
  });
}

/** @param {import('../lib/router.js').Page} page */
export async function meetingView({ params: [raw], signal }) {
  const code = meetingCodeOf(raw);
  if (!code) return noSuchMeeting(raw);
  // The code as the server knows it, in the address bar too (a link typed in capitals).
  if (location.pathname !== `/meet/${code}`) history.replaceState(null, '', `/meet/${code}`);
  await enter(code, signal);
}
