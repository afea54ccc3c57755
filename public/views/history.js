// @ts-check
// /history: the signed-in user's meetings, newest first, each a link back into the meeting.
import { api } from '../lib/api.js';
import { errorMessage, h, render } from '../lib/dom.js';
import { navigate } from '../lib/router.js';
import { session } from '../lib/session.js';

/** @typedef {import('../lib/api.js').HistoryEntry} HistoryEntry */

/** @param {HistoryEntry} entry */
function historyItem(entry) {
  return h(
    'li',
    {},
    h(
      'a',
      { href: `/meet/${encodeURIComponent(entry.meetingCode)}`, 'data-link': true },
      entry.meetingCode,
    ),
    ' ',
    h('time', { datetime: entry.date }, new Date(entry.date).toLocaleString()),
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
        ? h('ol', { class: 'history', 'aria-label': 'Meeting history' }, items.map(historyItem))
        : h('p', {}, 'No meetings yet.'),
    );
  } catch (failure) {
    if (!signal.aborted)
      render(h('h1', {}, 'History'), h('p', { class: 'error' }, errorMessage(failure)));
  }
}
