// @ts-check
// Client-side routing over the History API. Every page gets an AbortSignal that fires when
// another page replaces it, so that what it started (a call, a pending request) ends with it.

/**
 * @typedef {object} Page
 * @property {string[]} params the route pattern's captured groups, URL-decoded
 * @property {AbortSignal} signal aborted when the user leaves the page
 */
/** @typedef {(page: Page) => unknown} View */
/** @typedef {{ pattern: RegExp, view: View }} Route */

/** @type {Route[]} */
let routes = [];
/** @type {() => void} */
let beforeEachPage = () => undefined;
let current = new AbortController();
/**
 * Asked before the user leaves the page (a link, the back button, navigate): answers whether
 * they may. A call sets one while it runs; another page clears it.
 * @type {(() => Promise<boolean>) | undefined}
 */
let leaveGuard;
/** The URL of the page shown: where the back button returns to when leaving is refused. */
let shownUrl = location.href;

/**
 * Asks `guard` before the user leaves this page, until the page changes or the returned
 * function is called.
 * @param {() => Promise<boolean>} guard resolves true to let the user go
 */
export function guardLeaving(guard) {
  leaveGuard = guard;
  return () => {
    if (leaveGuard === guard) leaveGuard = undefined;
  };
}

/**
 * Whether the user may leave the page shown (asking them when it guards leaving); once they
 * said yes, it is not asked again.
 * @returns {Promise<boolean>}
 */
export async function mayLeave() {
  const guard = leaveGuard;
  if (!guard) return true;
  if (!(await guard())) return false;
  if (leaveGuard === guard) leaveGuard = undefined;
  return true;
}

/**
 * Shows the page at `path`, unless the user chose to stay on the one shown.
 * @param {string} path
 * @returns {Promise<boolean>} whether it did
 */
export async function navigate(path) {
  if (!(await mayLeave())) return false;
  history.pushState(null, '', path);
  route();
  return true;
}

/** The user is being asked whether to leave (a back or forward press meanwhile waits). */
let asking = false;

async function onPopState() {
  if (asking) return;
  if (leaveGuard) {
    // The address already shows where the user is going: confirmed, the page follows it; not
    // confirmed, the page they stay on is put back (one entry: Back still leads back).
    asking = true;
    try {
      if (!(await mayLeave())) {
        history.pushState(null, '', shownUrl);
        return;
      }
    } finally {
      asking = false;
    }
  }
  route();
}

function route() {
  leaveGuard = undefined;
  shownUrl = location.href;
  current.abort();
  current = new AbortController();
  beforeEachPage();
  for (const { pattern, view } of routes) {
    const match = pattern.exec(location.pathname);
    if (match) {
      void view({ params: match.slice(1).map(decodeURIComponent), signal: current.signal });
      return;
    }
  }
}

/**
 * Shows the page for the current URL, then follows in-app links (`a[data-link]`) and the
 * browser's back and forward buttons. The first matching route wins.
 * @param {Route[]} table
 * @param {() => void} beforeEach runs before every page, e.g. to refresh the navigation bar
 */
export function startRouter(table, beforeEach) {
  routes = table;
  beforeEachPage = beforeEach;
  document.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[data-link]') : null;
    if (!link) return;
    event.preventDefault();
    void navigate(link.getAttribute('href') ?? '/');
  });
  window.addEventListener('popstate', () => void onPopState());
  route();
}
