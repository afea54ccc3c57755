// @ts-check
// Reference web client: sign up / in, create or join meetings, the call, the history.
// Plain JavaScript modules served as they are: lib/ (API, session, routing, DOM helpers),
// views/ (the pages), call/ (the meeting page). Protocol: src/signaling/protocol/.
import { startRouter } from './lib/router.js';
import { historyView } from './views/history.js';
import { homeView } from './views/home.js';
import { meetingView } from './views/meeting.js';
import { renderNav } from './views/nav.js';
import { signInView } from './views/sign-in.js';

startRouter(
  [
    { pattern: /^\/meet\/([^/]+)\/?$/, view: meetingView },
    { pattern: /^\/login$/, view: signInView },
    { pattern: /^\/history$/, view: historyView },
    { pattern: /^/, view: homeView },
  ],
  renderNav,
);
