// @ts-check
// The waiting room as hosts and co-hosts see it: who waits (longest first), guest or signed
// in, with Admit and Deny each, and Admit all. Hidden while nobody waits or you cannot let
// anyone in. `data-waiting` is each entry's socket id.
import { h } from '../lib/dom.js';
import { actionButton } from './participants-panel.js';

/** @typedef {import('../lib/protocol.js').LobbyEntry} LobbyEntry */

/**
 * @typedef {object} LobbyActions each resolves once the server answered
 * @property {(socketId: string) => Promise<unknown>} onAdmit
 * @property {(socketId: string) => Promise<unknown>} onDeny
 * @property {() => Promise<unknown>} onAdmitAll
 */

export class LobbyPanel {
  #actions;
  #title = h('h2', { id: 'lobby-title' }, 'Waiting room');
  #list = h('ul', { class: 'people', 'aria-labelledby': 'lobby-title' });

  /** @param {LobbyActions} actions */
  constructor(actions) {
    this.#actions = actions;
    this.element = h(
      'section',
      { id: 'lobby', class: 'panel', 'aria-labelledby': 'lobby-title', hidden: true },
      this.#title,
      this.#list,
      actionButton('Admit all', {}, () => actions.onAdmitAll()),
    );
  }

  /**
   * @param {LobbyEntry[]} waiting
   * @param {boolean} moderator whether you may let them in (a host or co-host)
   */
  show(waiting, moderator) {
    this.element.hidden = !moderator || waiting.length === 0;
    this.#title.textContent = `Waiting room (${waiting.length})`;
    this.#list.replaceChildren(...waiting.map((entry) => this.#entry(entry)));
  }

  /** @param {LobbyEntry} entry */
  #entry({ socketId, name, signedIn }) {
    return h(
      'li',
      { 'data-waiting': socketId },
      h('span', { class: 'name' }, name),
      h('span', { class: 'badge' }, signedIn ? 'signed in' : 'guest'),
      h(
        'span',
        { class: 'actions' },
        actionButton('Admit', { class: 'small', 'aria-label': `Admit ${name}` }, () =>
          this.#actions.onAdmit(socketId),
        ),
        actionButton('Deny', { class: 'small secondary', 'aria-label': `Deny ${name}` }, () =>
          this.#actions.onDeny(socketId),
        ),
      ),
    );
  }
}
