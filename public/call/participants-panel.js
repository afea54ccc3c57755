// @ts-check
// Who is in the call: everyone sees the list with names and role badges; hosts and co-hosts
// also get, per participant, Mute, Remove and Remove and ban (never for a host), the host
// Make co-host / Make participant, and the meeting's settings: lock, waiting room, mute on
// entry, Mute all. `data-participant` is each entry's socket id.
import { checkbox, h, select } from '../lib/dom.js';
import { WAITING_ROOM_MODES } from '../lib/protocol.js';

/** @typedef {import('../lib/protocol.js').Role} Role */
/** @typedef {import('../lib/protocol.js').MeetingState} MeetingState */
/** @typedef {import('../lib/protocol.js').WaitingRoomMode} WaitingRoomMode */

/**
 * @typedef {object} Person
 * @property {string} socketId
 * @property {string} name
 * @property {Role} role
 * @property {boolean} [guest] undefined when not known (someone who joined after us)
 * @property {import('../lib/protocol.js').MediaState | null} [media] null until reported
 * @property {number} [handRaisedAt] when they raised their hand (orders the raised hands)
 */

/**
 * @typedef {object} ParticipantActions each resolves once the server answered
 * @property {(socketId: string) => Promise<unknown>} onMuteParticipant
 * @property {(socketId: string, ban: boolean) => Promise<unknown>} onRemove
 * @property {(socketId: string, role: 'cohost' | 'participant') => Promise<unknown>} onSetRole
 * @property {() => Promise<unknown>} onMuteAll
 * @property {(changes: { locked?: boolean, muteOnEntry?: boolean, waitingRoom?: WaitingRoomMode }) => Promise<boolean>} onUpdateMeeting
 *   resolves whether the server applied the change
 */

/** @type {Record<Role, string>} */
const ROLE_LABEL = { host: 'Host', cohost: 'Co-host', participant: '' };

/**
 * A button that stays disabled while its action runs (no double clicks).
 * @param {string} text
 * @param {Record<string, string>} attributes
 * @param {() => Promise<unknown> | undefined} run undefined: nothing was done
 */
export function actionButton(text, attributes, run) {
  const button = h('button', {
    type: 'button',
    ...attributes,
    onclick: async () => {
      button.disabled = true;
      try {
        await run();
      } finally {
        button.disabled = false;
      }
    },
  });
  button.textContent = text;
  return button;
}

export class ParticipantsPanel {
  #actions;
  #title = h('h2', { id: 'participants-title' }, 'Participants');
  #list = h('ul', { class: 'people', 'aria-labelledby': 'participants-title' });
  #lock;
  #muteOnEntry;
  #waitingRoom;
  #settings;
  /** @type {MeetingState} */
  #state = { locked: false, muteOnEntry: false, waitingRoom: 'off' };

  /**
   * @param {ParticipantActions} actions
   * @param {() => void} onClose the panel's close button
   */
  constructor(actions, onClose) {
    this.#actions = actions;
    const lock = checkbox('Lock meeting (nobody new can join)', { name: 'locked' });
    const muteOnEntry = checkbox('Mute participants when they join', { name: 'muteOnEntry' });
    const waitingRoom = select('Waiting room', { name: 'waitingRoom' }, WAITING_ROOM_MODES, 'off');
    this.#lock = /** @type {HTMLInputElement} */ (lock.querySelector('input'));
    this.#muteOnEntry = /** @type {HTMLInputElement} */ (muteOnEntry.querySelector('input'));
    this.#waitingRoom = /** @type {HTMLSelectElement} */ (waitingRoom.querySelector('select'));
    this.#lock.addEventListener('change', () =>
      this.#update(this.#lock, { locked: this.#lock.checked }),
    );
    this.#muteOnEntry.addEventListener('change', () =>
      this.#update(this.#muteOnEntry, { muteOnEntry: this.#muteOnEntry.checked }),
    );
    this.#waitingRoom.addEventListener('change', () =>
      this.#update(this.#waitingRoom, {
        waitingRoom: /** @type {WaitingRoomMode} */ (this.#waitingRoom.value),
      }),
    );
    this.#settings = h(
      'fieldset',
      { class: 'host-settings', hidden: true },
      h('legend', {}, 'Meeting settings'),
      lock,
      muteOnEntry,
      waitingRoom,
      actionButton('Mute all', { class: 'secondary' }, () => actions.onMuteAll()),
    );
    this.element = h(
      'section',
      { id: 'participants', class: 'panel', 'aria-labelledby': 'participants-title', hidden: true },
      h(
        'div',
        { class: 'panel-header' },
        this.#title,
        h(
          'button',
          { type: 'button', class: 'close', 'aria-label': 'Close participants', onclick: onClose },
          '×',
        ),
      ),
      this.#list,
      this.#settings,
    );
  }

  /**
   * Draws the list again: raised hands first, in the order they were raised; then you, the
   * hosts, the co-hosts and the others, by name.
   * @param {Person[]} people
   * @param {string | undefined} selfId
   */
  show(people, selfId) {
    const selfRole = people.find((person) => person.socketId === selfId)?.role ?? 'participant';
    const moderator = selfRole === 'host' || selfRole === 'cohost';
    const rank = (/** @type {Person} */ person) =>
      person.socketId === selfId
        ? 0
        : person.role === 'host'
          ? 1
          : person.role === 'cohost'
            ? 2
            : 3;
    const hand = (/** @type {Person} */ person) => person.handRaisedAt ?? Infinity;
    const sorted = [...people].sort(
      (a, b) => hand(a) - hand(b) || rank(a) - rank(b) || a.name.localeCompare(b.name),
    );
    this.#title.textContent = `Participants (${people.length})`;
    // The list is drawn again on every change: the focused button is focused again after.
    const focused = this.#list.contains(document.activeElement)
      ? document.activeElement?.getAttribute('aria-label')
      : null;
    this.#list.replaceChildren(
      ...sorted.map((person) => this.#entry(person, person.socketId === selfId, selfRole)),
    );
    if (focused)
      [...this.#list.querySelectorAll('button')]
        .find((button) => button.getAttribute('aria-label') === focused)
        ?.focus();
    this.#settings.hidden = !moderator;
  }

  /** @param {MeetingState} state */
  showMeetingState(state) {
    this.#state = state;
    this.#lock.checked = state.locked;
    this.#muteOnEntry.checked = state.muteOnEntry;
    this.#waitingRoom.value = state.waitingRoom;
  }

  /**
   * @param {Person} person
   * @param {boolean} self
   * @param {Role} selfRole
   */
  #entry(person, self, selfRole) {
    const { socketId, name, role } = person;
    const badges = [];
    if (ROLE_LABEL[role])
      badges.push(h('span', { class: 'badge role', 'data-role': role }, ROLE_LABEL[role]));
    if (person.guest) badges.push(h('span', { class: 'badge' }, 'guest'));
    if (person.handRaisedAt !== undefined)
      badges.push(h('span', { class: 'badge', 'data-badge': 'hand' }, 'hand raised'));
    if (person.media && !person.media.audio)
      badges.push(h('span', { class: 'badge', 'data-badge': 'muted' }, 'muted'));
    if (person.media && !person.media.video)
      badges.push(h('span', { class: 'badge', 'data-badge': 'camera-off' }, 'camera off'));
    if (person.media?.screen)
      badges.push(h('span', { class: 'badge', 'data-badge': 'screen' }, 'sharing'));
    const actions = [];
    const moderator = selfRole === 'host' || selfRole === 'cohost';
    if (!self && moderator && role !== 'host') {
      actions.push(
        actionButton('Mute', { class: 'small', 'aria-label': `Mute ${name}` }, () =>
          this.#actions.onMuteParticipant(socketId),
        ),
      );
      if (selfRole === 'host') {
        const next = role === 'cohost' ? 'participant' : 'cohost';
        const label = next === 'cohost' ? 'Make co-host' : 'Make participant';
        actions.push(
          actionButton(label, { class: 'small secondary', 'aria-label': `${label}: ${name}` }, () =>
            this.#actions.onSetRole(socketId, next),
          ),
        );
      }
      actions.push(
        actionButton('Remove', { class: 'small secondary', 'aria-label': `Remove ${name}` }, () =>
          this.#actions.onRemove(socketId, false),
        ),
        actionButton(
          'Remove and ban',
          { class: 'small danger', 'aria-label': `Remove and ban ${name}` },
          () =>
            window.confirm(`Remove ${name} and stop them from joining this meeting again?`)
              ? this.#actions.onRemove(socketId, true)
              : undefined,
        ),
      );
    }
    return h(
      'li',
      { 'data-participant': socketId, 'data-role': role },
      h('span', { class: 'name' }, self ? `${name} (you)` : name),
      ...badges,
      actions.length ? h('span', { class: 'actions' }, ...actions) : '',
    );
  }

  /**
   * Sends a settings change; shows the meeting's state again when it was refused (the
   * server's `meeting-updated` confirms the change for everyone).
   * @param {HTMLInputElement | HTMLSelectElement} control
   * @param {{ locked?: boolean, muteOnEntry?: boolean, waitingRoom?: WaitingRoomMode }} changes
   */
  async #update(control, changes) {
    control.disabled = true;
    try {
      const applied = await this.#actions.onUpdateMeeting(changes);
      if (!applied) this.showMeetingState(this.#state);
    } finally {
      control.disabled = false;
    }
  }
}
