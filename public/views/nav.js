// @ts-check
// The top bar's navigation: who is signed in, History and Sign out, or a Sign in link.
import { api } from '../lib/api.js';
import { h, navBar } from '../lib/dom.js';
import { mayLeave, navigate } from '../lib/router.js';
import { session } from '../lib/session.js';

async function signOut() {
  // In a call: the user confirms leaving it first.
  if (!(await mayLeave())) return;
  // Signed out locally whatever the server says: the token is forgotten either way.
  await api.signOut().catch(() => undefined);
  session.clear();
  await navigate('/');
}

export function renderNav() {
  const user = session.user;
  navBar.replaceChildren(
    ...(user
      ? [
          h('span', { class: 'nav-who' }, `Signed in as ${user.name}`),
          h('a', { href: '/history', 'data-link': true }, 'History'),
          h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out'),
        ]
      : [h('a', { href: '/login', 'data-link': true }, 'Sign in')]),
  );
}
