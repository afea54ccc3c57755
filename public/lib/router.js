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

/** @param {string} path */
export function navigate(path) {
  history.pushState(null, '', path);
  route();
}

function route() {
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
    navigate(link.getAttribute('href') ?? '/');
  });
  window.addEventListener('popstate', route);
  route();
}
