// @ts-check
// /history: the signed-in user's meetings, newest first, each a link back into the meeting,
// with how long they stayed. The sessions they hosted open their attendance (who came, when,
// for how long, how each visit ended) and download it as CSV.
import { api, ApiError } from '../lib/api.js';
import { download, h, render } from '../lib/dom.js';
import { commonFailureText } from '../lib/form-field.js';
import { navigate } from '../lib/router.js';
import { session } from '../lib/session.js';

/**
 * What to tell the user about a failed request, in plain words (never the server's text).
 * @param {unknown} failure
 * @param {string} otherwise the sentence for any other refusal
 */
function problemText(failure, otherwise) {
  const common = commonFailureText(failure);
  if (common) return common;
  if (failure instanceof ApiError && failure.status === 401)
    return 'Your session ended. Sign in again to see your history.';
  if (failure instanceof ApiError && failure.status === 403)
    return "Only the meeting's host can see its attendance.";
  if (failure instanceof ApiError && failure.status === 404)
    return 'That meeting or session no longer exists.';
  return otherwise;
}

/** @typedef {import('../lib/api.js').HistoryEntry} HistoryEntry */
/** @typedef {import('../lib/api.js').SessionDetail} SessionDetail */
/** @typedef {import('../lib/api.js').Visit} Visit */
/** @typedef {import('../lib/api.js').VisitEndReason} VisitEndReason */

/** @type {Record<VisitEndReason, string>} */
const REASONS = {
  left: 'Left',
  removed: 'Removed by host',
  disconnected: 'Connection lost',
  'meeting-ended': 'Meeting ended',
};

/** @type {Record<Visit['role'], string>} */
const ROLES = { host: 'Host', cohost: 'Co-host', participant: 'Participant' };

/**
 * A length of time in whole minutes: "1 h 05 min", "12 min", "<1 min".
 * @param {number} ms
 */
function formatDuration(ms) {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return '<1 min';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * A `<time>` in the user's locale, the full date and time on hover.
 * @param {string} iso
 * @param {Intl.DateTimeFormatOptions} format
 */
function time(iso, format) {
  const date = new Date(iso);
  return h(
    'time',
    { datetime: iso, title: date.toLocaleString() },
    date.toLocaleString([], format),
  );
}

/**
 * What to show as an entry's duration: none for entries added by hand (nothing was measured).
 * @param {HistoryEntry} entry
 */
function entryDuration(entry) {
  if (!entry.sessionId) return undefined;
  return typeof entry.durationMs === 'number' ? formatDuration(entry.durationMs) : 'in progress';
}

/**
 * The few words that go with a count ("1 visit", "3 visits").
 * @param {number} count
 * @param {string} noun
 */
function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * One visit as a row of the attendance table.
 * @param {Visit} visit
 */
function visitRow(visit) {
  const clock = /** @type {Intl.DateTimeFormatOptions} */ ({ timeStyle: 'short' });
  return h(
    'tr',
    {},
    h('th', { scope: 'row' }, visit.name),
    h('td', {}, visit.guest ? 'Guest' : 'Account'),
    h('td', {}, ROLES[visit.role] ?? visit.role),
    h('td', {}, time(visit.joinedAt, clock)),
    h('td', {}, visit.leftAt ? time(visit.leftAt, clock) : '—'),
    h('td', {}, visit.durationMs === null ? '—' : formatDuration(visit.durationMs)),
    h('td', {}, visit.reason ? (REASONS[visit.reason] ?? visit.reason) : 'Still in the call'),
  );
}

/**
 * A session's attendance: a summary, the table (scrolling sideways on narrow screens) and its
 * CSV download.
 * @param {SessionDetail} detail
 * @param {string} name what the meeting is called in the list
 * @param {AbortSignal} signal the page's
 */
function attendanceReport(detail, name, signal) {
  const failure = h('p', { class: 'error', role: 'alert', hidden: true });
  const downloadButton = h(
    'button',
    {
      type: 'button',
      class: 'small',
      onclick: async () => {
        downloadButton.disabled = true;
        failure.hidden = true;
        try {
          const file = await api.attendanceCsv(detail.code, detail.id);
          if (signal.aborted) return;
          download(file.blob, file.filename);
        } catch (error) {
          if (signal.aborted) return;
          failure.textContent = problemText(error, 'The attendance could not be downloaded.');
          failure.hidden = false;
        } finally {
          downloadButton.disabled = false;
        }
      },
    },
    'Download CSV',
  );
  const length = detail.live
    ? 'still going on'
    : detail.durationMs === null
      ? undefined
      : `lasted ${formatDuration(detail.durationMs)}`;
  const summary = [
    plural(detail.attendees, 'attendee'),
    plural(detail.visits, 'visit'),
    `at most ${detail.peakParticipants} at once`,
    ...(length ? [length] : []),
  ].join(', ');
  return [
    h('p', { class: 'attendance-summary' }, `${summary[0].toUpperCase()}${summary.slice(1)}.`),
    detail.attendance.length
      ? h(
          'div',
          {
            class: 'table-scroll',
            role: 'region',
            'aria-label': `Attendance of ${name}`,
            tabindex: '0',
          },
          h(
            'table',
            { class: 'attendance-table' },
            h('caption', { class: 'visually-hidden' }, `Attendance of ${name}`),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Name', 'Guest/Account', 'Role', 'Joined', 'Left', 'Duration', 'How it ended'].map(
                  (label) => h('th', { scope: 'col' }, label),
                ),
              ),
            ),
            h('tbody', {}, detail.attendance.map(visitRow)),
          ),
        )
      : h('p', {}, 'Nobody attended.'),
    h('div', { class: 'controls' }, downloadButton),
    failure,
  ];
}

/**
 * The Attendance button of a session the user hosted, and the panel it opens below the entry
 * (loaded afresh at each opening: a live session's attendance changes).
 * @param {HistoryEntry & { sessionId: string }} entry
 * @param {string} name what the meeting is called in the list
 * @param {string} titleId the id of the entry's title
 * @param {AbortSignal} signal the page's
 */
function attendanceToggle(entry, name, titleId, signal) {
  const panelId = `attendance-${entry.id}`;
  const panel = h('div', { id: panelId, class: 'attendance', hidden: true });
  /** Counts openings: the answer to an earlier one, arriving late, is not shown. */
  let openings = 0;
  const button = h(
    'button',
    {
      type: 'button',
      class: 'small secondary',
      'aria-expanded': 'false',
      'aria-controls': panelId,
      'aria-describedby': titleId,
      onclick: async () => {
        const open = button.getAttribute('aria-expanded') !== 'true';
        button.setAttribute('aria-expanded', String(open));
        panel.hidden = !open;
        const opening = ++openings;
        if (!open) return;
        panel.replaceChildren(h('p', {}, 'Loading attendance…'));
        try {
          const detail = await api.session(entry.meetingCode, entry.sessionId);
          // The user may have moved on, or closed the panel, while it loaded.
          if (signal.aborted || opening !== openings) return;
          panel.replaceChildren(...attendanceReport(detail, name, signal));
        } catch (failure) {
          if (signal.aborted || opening !== openings) return;
          panel.replaceChildren(
            h(
              'p',
              { class: 'error', role: 'alert' },
              problemText(failure, 'The attendance could not be loaded.'),
            ),
          );
        }
      },
    },
    'Attendance',
  );
  return { button, panel };
}

/**
 * @param {HistoryEntry} entry
 * @param {AbortSignal} signal the page's
 */
function historyItem(entry, signal) {
  const name = entry.title || entry.meetingCode;
  const titleId = `entry-${entry.id}`;
  const duration = entryDuration(entry);
  const sessionId = entry.sessionId;
  const toggle =
    entry.hosted && sessionId
      ? attendanceToggle({ ...entry, sessionId }, name, titleId, signal)
      : undefined;
  return h(
    'li',
    { class: 'history-entry' },
    h(
      'div',
      { class: 'entry' },
      h(
        'div',
        { class: 'entry-info' },
        h('h2', { class: 'entry-title', id: titleId }, name),
        h(
          'p',
          { class: 'entry-meta' },
          h(
            'a',
            { href: `/meet/${encodeURIComponent(entry.meetingCode)}`, 'data-link': true },
            entry.meetingCode,
          ),
          ' ',
          time(entry.date, { dateStyle: 'medium', timeStyle: 'short' }),
          ...(duration
            ? [
                ' ',
                h(
                  'span',
                  { class: 'duration' },
                  h('span', { class: 'visually-hidden' }, 'Duration: '),
                  duration,
                ),
              ]
            : []),
        ),
      ),
      toggle ? toggle.button : [],
    ),
    toggle ? toggle.panel : [],
  );
}

/** @param {import('../lib/router.js').Page} page */
export async function historyView({ signal }) {
  if (!session.token) return navigate('/login');
  render(h('h1', {}, 'History'), h('p', {}, 'Loading…'));
  try {
    const { items } = await api.history();
    // The user may have moved on while the history loaded: never draw over their new page.
    if (signal.aborted) return;
    render(
      h('h1', {}, 'History'),
      items.length
        ? h(
            'ol',
            { class: 'history', 'aria-label': 'Meeting history' },
            items.map((entry) => historyItem(entry, signal)),
          )
        : h('p', {}, 'No meetings yet.'),
    );
  } catch (failure) {
    if (!signal.aborted)
      render(
        h('h1', {}, 'History'),
        h('p', { class: 'error' }, problemText(failure, 'Your history could not be loaded.')),
      );
  }
}
