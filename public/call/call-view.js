// @ts-check
// The call page: the participants' grid (your own tile first), the call controls, the
// waiting room and participants panels, and the chat panel; plus the screens that take the
// call's place: the passcode form, the waiting screen, and the end screens (removed, ended,
// denied, could not join). It draws what it is told and reports clicks; the call decides
// what they do.
import { h, onSubmit, render, textOf } from '../lib/dom.js';
import { PASSCODE_MAX_LENGTH } from '../lib/protocol.js';
import { ChatPanel } from './chat-panel.js';
import { LobbyPanel } from './lobby-panel.js';
import { ParticipantsPanel } from './participants-panel.js';
import { RemoteTile } from './remote-tile.js';

/** @typedef {import('../lib/protocol.js').MediaState} MediaState */
/** @typedef {import('../lib/protocol.js').MeetingState} MeetingState */
/** @typedef {import('../lib/protocol.js').LobbyEntry} LobbyEntry */
/** @typedef {import('./participants-panel.js').Person} Person */

/**
 * @typedef {object} OwnControls
 * @property {() => void} onMute Mute / Unmute
 * @property {() => void} onCamera Stop camera / Start camera
 * @property {() => void} onScreen Share screen, pressed while sharing
 * @property {() => void} onRaiseHand Raise hand, pressed while raised
 * @property {() => void} onLeave
 * @property {() => Promise<unknown>} onEndForAll the host ends the meeting (confirmed)
 * @property {(text: string) => void} onSend a chat message, trimmed and not empty
 */
/**
 * @typedef {OwnControls & import('./participants-panel.js').ParticipantActions
 *   & import('./lobby-panel.js').LobbyActions} CallControls
 */

/**
 * A screen that replaces the call for good: its id is the test hook (`#removed`, `#ended`,
 * `#denied`, `#join-failed`).
 * @typedef {{ id: string, title: string, detail?: string, rejoin?: string, banned?: boolean }} EndScreen
 */

/**
 * @param {string} label
 * @param {() => void} onclick
 */
function toggle(label, onclick) {
  return h('button', { type: 'button', 'aria-pressed': 'false', onclick }, label);
}

/**
 * @param {HTMLButtonElement} button
 * @param {boolean} pressed
 * @param {string} [label] when the label names the next action
 */
function showToggle(button, pressed, label) {
  button.setAttribute('aria-pressed', String(pressed));
  if (label) button.textContent = label;
}

export class CallView {
  #code;
  #root;
  #grid = h('section', { class: 'grid', 'aria-label': 'Videos' });
  #localVideo = h('video', {
    autoplay: true,
    playsinline: true,
    muted: true,
    'aria-label': 'Your video',
  });
  /** @type {MediaStreamTrack | undefined} */
  #previewTrack;
  #mute;
  #camera;
  #screen;
  #hand;
  #people = toggle('Participants', () => this.#toggleParticipants());
  #endForAll;
  #chat;
  #participants;
  #lobby;
  #title = h('p', { class: 'meeting-title', hidden: true });
  /** Shown while the page's own connection is down and coming back. */
  #reconnecting = h(
    'p',
    { id: 'reconnecting', class: 'banner', role: 'status', hidden: true },
    'Reconnecting… your call goes on meanwhile.',
  );
  #lockedBadge = h('span', { class: 'badge locked', hidden: true }, 'Locked');
  #hostPasscode = h('p', { class: 'hint', hidden: true });
  #invite;
  #passcodeScreen;
  #passcodeError = h('p', { class: 'error', role: 'alert' });
  #passcodeInput;
  /** @type {((passcode: string | undefined) => void) | undefined} */
  #passcodeAnswer;
  #waitingScreen;

  /**
   * @param {string} code the meeting code, the page's title
   * @param {string} name your display name
   * @param {CallControls} controls
   */
  constructor(code, name, controls) {
    this.#code = code;
    // The attribute only sets the default; the property is what keeps your own sound off.
    this.#localVideo.muted = true;
    this.#grid.append(
      h(
        'figure',
        { class: 'tile', 'data-local': true },
        this.#localVideo,
        h('figcaption', { class: 'label' }, `${name} (you)`),
      ),
    );
    this.#mute = toggle('Mute', controls.onMute);
    this.#camera = toggle('Stop camera', controls.onCamera);
    this.#screen = toggle('Share screen', controls.onScreen);
    this.#hand = toggle('Raise hand', controls.onRaiseHand);
    this.#people.setAttribute('aria-expanded', 'false');
    this.#people.setAttribute('aria-controls', 'participants');
    this.#people.removeAttribute('aria-pressed');
    this.#people.classList.add('secondary');
    const leave = h(
      'button',
      { type: 'button', class: 'secondary', onclick: controls.onLeave },
      'Leave',
    );
    this.#endForAll = h(
      'button',
      {
        type: 'button',
        class: 'danger',
        hidden: true,
        onclick: async () => {
          if (!window.confirm('End the meeting for everyone?')) return;
          this.#endForAll.disabled = true;
          await controls.onEndForAll();
          this.#endForAll.disabled = false;
        },
      },
      'End for all',
    );
    this.#chat = new ChatPanel(controls.onSend);
    this.#participants = new ParticipantsPanel(controls);
    this.#lobby = new LobbyPanel(controls);
    this.#root = h(
      'div',
      { class: 'call' },
      h(
        'div',
        {},
        this.#reconnecting,
        this.#grid,
        h(
          'div',
          { class: 'controls', role: 'toolbar', 'aria-label': 'Call controls' },
          this.#mute,
          this.#camera,
          this.#screen,
          this.#hand,
          this.#people,
          leave,
          this.#endForAll,
        ),
      ),
      h(
        'div',
        { class: 'side' },
        this.#lobby.element,
        this.#participants.element,
        this.#chat.element,
      ),
    );
    this.#invite = this.#inviteControl();
    this.#passcodeInput = h('input', {
      name: 'passcode',
      type: 'password',
      required: true,
      maxlength: String(PASSCODE_MAX_LENGTH),
      autocomplete: 'off',
    });
    this.#passcodeScreen = h(
      'section',
      { id: 'passcode', class: 'screen', 'aria-labelledby': 'passcode-title', hidden: true },
      h(
        'form',
        {
          'aria-labelledby': 'passcode-title',
          onsubmit: onSubmit((fields) => this.#answerPasscode(textOf(fields, 'passcode'))),
        },
        h('h2', { id: 'passcode-title' }, 'This meeting needs a passcode'),
        this.#passcodeError,
        h('label', {}, 'Meeting passcode', this.#passcodeInput),
        h(
          'div',
          { class: 'controls' },
          h('button', { type: 'submit' }, 'Join'),
          h('button', { type: 'button', class: 'secondary', onclick: controls.onLeave }, 'Leave'),
        ),
      ),
    );
    this.#waitingScreen = h(
      'section',
      { id: 'waiting', class: 'screen', 'aria-labelledby': 'waiting-title', hidden: true },
      h('h2', { id: 'waiting-title', tabindex: '-1' }, 'Waiting for the host to let you in'),
      h('p', {}, 'You will join the meeting as soon as a host admits you.'),
      h('button', { type: 'button', class: 'secondary', onclick: controls.onLeave }, 'Leave'),
    );
    render(
      h(
        'header',
        { class: 'meeting-header' },
        h('h1', {}, code),
        this.#lockedBadge,
        this.#title,
        this.#invite,
        this.#hostPasscode,
      ),
      this.#passcodeScreen,
      this.#waitingScreen,
      this.#root,
    );
  }

  /** @param {boolean} reconnecting the page's connection dropped and is coming back */
  showReconnecting(reconnecting) {
    this.#reconnecting.hidden = !reconnecting;
  }

  /**
   * In the room with this socket id (`data-self` on the call's root), or out of it.
   * @param {string | undefined} socketId
   */
  showJoined(socketId) {
    if (socketId) this.#root.dataset.self = socketId;
    else delete this.#root.dataset.self;
    this.#chat.enableSending(socketId !== undefined);
  }

  /**
   * What the meeting's registration says: its title; for its host, the passcode to share.
   * @param {{ title?: string, passcode?: string | null }} meeting
   */
  showMeeting({ title, passcode }) {
    this.#title.textContent = title ?? '';
    this.#title.hidden = !title;
    this.#hostPasscode.textContent = passcode ? `Passcode: ${passcode}` : '';
    this.#hostPasscode.hidden = !passcode;
  }

  /**
   * @param {MediaState} state
   * @param {MediaStreamTrack | undefined} videoTrack what the others see of you
   */
  showLocalMedia(state, videoTrack) {
    showToggle(this.#mute, !state.audio, state.audio ? 'Mute' : 'Unmute');
    showToggle(this.#camera, !state.video, state.video ? 'Stop camera' : 'Start camera');
    showToggle(this.#screen, state.screen);
    // A new source only when the track changed: reassigning restarts the preview.
    if (videoTrack !== this.#previewTrack) {
      this.#previewTrack = videoTrack;
      this.#localVideo.srcObject = new MediaStream(videoTrack ? [videoTrack] : []);
    }
  }

  /** @param {boolean} raised */
  showHand(raised) {
    showToggle(this.#hand, raised);
  }

  /**
   * @param {string} socketId
   * @param {string} name
   */
  addTile(socketId, name) {
    const tile = new RemoteTile(socketId, name);
    this.#grid.append(tile.element);
    return tile;
  }

  /**
   * @param {string} sender
   * @param {string} text
   */
  showMessage(sender, text) {
    this.#chat.append(sender, text);
  }

  /**
   * Everyone in the call, you included; what you may do follows from your role.
   * @param {Person[]} people
   * @param {string | undefined} selfId
   */
  showParticipants(people, selfId) {
    this.#participants.show(people, selfId);
    this.#people.textContent = `Participants (${people.length})`;
    const role = people.find((person) => person.socketId === selfId)?.role;
    this.#endForAll.hidden = role !== 'host';
  }

  /**
   * @param {LobbyEntry[]} waiting
   * @param {boolean} moderator
   */
  showLobby(waiting, moderator) {
    this.#lobby.show(waiting, moderator);
  }

  /** @param {MeetingState} state */
  showMeetingState(state) {
    this.#participants.showMeetingState(state);
    this.#lockedBadge.hidden = !state.locked;
  }

  /**
   * Shows the passcode form instead of the call until a passcode is submitted.
   * @param {string} problem why it is asked (again): passcode needed, wrong, too many tries
   * @returns {Promise<string | undefined>} undefined when another question replaced this one
   */
  askPasscode(problem) {
    this.#passcodeAnswer?.(undefined);
    this.#passcodeError.textContent = problem;
    this.#passcodeInput.value = '';
    this.#showScreen(this.#passcodeScreen);
    this.#passcodeInput.focus();
    return new Promise((resolve) => (this.#passcodeAnswer = resolve));
  }

  /** @param {boolean} waiting in the waiting room: the waiting screen instead of the call */
  showWaiting(waiting) {
    this.#showScreen(waiting ? this.#waitingScreen : this.#root);
    if (waiting) this.#waitingScreen.querySelector('h2')?.focus();
  }

  /** The call itself (after the passcode form or the waiting screen). */
  showCall() {
    this.#passcodeAnswer?.(undefined);
    this.#passcodeAnswer = undefined;
    this.#showScreen(this.#root);
  }

  /**
   * Replaces the whole page: the call is over for this page.
   * @param {EndScreen} screen
   */
  showEnd({ id, title, detail, rejoin, banned }) {
    this.#passcodeAnswer?.(undefined);
    this.#passcodeAnswer = undefined;
    render(
      h(
        'section',
        {
          id,
          class: 'screen end',
          'aria-labelledby': `${id}-title`,
          'data-banned': banned === true,
        },
        h('h1', { id: `${id}-title` }, title),
        detail ? h('p', {}, detail) : '',
        h(
          'p',
          { class: 'controls' },
          h('a', { href: '/', 'data-link': true }, 'Back to home'),
          rejoin
            ? h('a', { href: `/meet/${encodeURIComponent(this.#code)}`, 'data-link': true }, rejoin)
            : '',
        ),
      ),
    );
  }

  /** @param {HTMLElement} screen the one to show of the passcode form, waiting screen and call */
  #showScreen(screen) {
    for (const candidate of [this.#passcodeScreen, this.#waitingScreen, this.#root])
      candidate.hidden = candidate !== screen;
  }

  /** @param {string} passcode */
  #answerPasscode(passcode) {
    const answer = this.#passcodeAnswer;
    this.#passcodeAnswer = undefined;
    this.#passcodeError.textContent = 'Checking…';
    answer?.(passcode);
  }

  #toggleParticipants() {
    const panel = this.#participants.element;
    panel.hidden = !panel.hidden;
    this.#people.setAttribute('aria-expanded', String(!panel.hidden));
  }

  /** Copy invite link: the clipboard when it can, else the link shown to copy by hand. */
  #inviteControl() {
    const link = `${location.origin}/meet/${encodeURIComponent(this.#code)}`;
    const confirmation = h('span', { role: 'status', class: 'hint' });
    const fallback = h('input', {
      readonly: true,
      value: link,
      'aria-label': 'Invite link',
      'data-testid': 'invite-link',
      hidden: true,
    });
    const copy = async () => {
      try {
        if (!navigator.clipboard) throw new Error('no clipboard');
        await navigator.clipboard.writeText(link);
        confirmation.textContent = 'Copied';
        setTimeout(() => (confirmation.textContent = ''), 3000);
      } catch {
        fallback.hidden = false;
        confirmation.textContent = 'Copy this link:';
        fallback.focus();
        fallback.select();
      }
    };
    return h(
      'div',
      { class: 'invite' },
      h('button', { type: 'button', class: 'secondary', onclick: copy }, 'Copy invite link'),
      confirmation,
      fallback,
    );
  }
}
