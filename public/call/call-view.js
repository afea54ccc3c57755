// @ts-check
// The call page: a header (title, code, invite), the tiles (a grid that fits the window, or a
// large tile with the others in a strip when someone shares a screen or a tile is pinned),
// the toolbar (pinned to the bottom), and a side panel with the participants or the chat (a
// sheet over the call on a phone). Plus the screens that take the call's place: the passcode
// form, the waiting screen, and the end screens (left, removed, ended, denied, signed out,
// could not join). It draws what it is told and reports clicks; the call decides what they do.
import { h, onSubmit, render, say, textOf, unsay } from '../lib/dom.js';
import { PASSCODE_MAX_LENGTH } from '../lib/protocol.js';
import { ChatPanel } from './chat-panel.js';
import { icon } from './icons.js';
import { LobbyPanel } from './lobby-panel.js';
import { ParticipantsPanel } from './participants-panel.js';
import { Tile } from './tile.js';

/** @typedef {import('../lib/protocol.js').MediaState} MediaState */
/** @typedef {import('../lib/protocol.js').MeetingState} MeetingState */
/** @typedef {import('../lib/protocol.js').LobbyEntry} LobbyEntry */
/** @typedef {import('./participants-panel.js').Person} Person */

/**
 * @typedef {object} OwnControls
 * @property {() => void} onMute Mute / Unmute
 * @property {() => void} onCamera Stop camera / Start camera
 * @property {() => void} onScreen Share screen / Stop sharing
 * @property {() => void} onRaiseHand Raise hand / Lower hand
 * @property {() => void} onLeave leaving confirmed
 * @property {() => Promise<unknown>} onEndForAll the host ends the meeting (confirmed)
 * @property {(text: string) => void} onSend a chat message, trimmed and not empty
 */
/**
 * @typedef {OwnControls & import('./participants-panel.js').ParticipantActions
 *   & import('./lobby-panel.js').LobbyActions} CallControls
 */

/**
 * A screen that replaces the call for good: its id is the test hook (`#left`, `#removed`,
 * `#ended`, `#denied`, `#join-failed`, `#signed-out`, `#disconnected`). `actions` are its
 * buttons and links (a rejoin first), after which "Back to home" always follows.
 * @typedef {{ label: string, href?: string, onclick?: () => void }} EndAction
 * @typedef {{ id: string, title: string, detail?: string, rejoin?: string, banned?: boolean,
 *   actions?: EndAction[] }} EndScreen
 */

/** The tiles' shape (width / height) in the grid. */
const TILE_RATIO = 16 / 9;
/** Space between tiles (px), as in styles.css. */
const GAP = 8;

/**
 * The number of columns that gives n tiles of TILE_RATIO the largest size in a width × height
 * box, and that size.
 * @param {number} n
 * @param {number} width
 * @param {number} height
 */
export function bestGrid(n, width, height) {
  let best = { columns: 1, tileWidth: 0 };
  for (let columns = 1; columns <= Math.max(1, n); columns++) {
    const rows = Math.ceil(n / columns);
    const tileWidth = Math.floor(
      Math.min(
        (width - GAP * (columns - 1)) / columns,
        ((height - GAP * (rows - 1)) / rows) * TILE_RATIO,
      ),
    );
    if (tileWidth > best.tileWidth) best = { columns, tileWidth };
  }
  return best;
}

/**
 * A toolbar button with a symbol and a label that says what it will do.
 * @param {string} symbol an icon's name (icons.js)
 * @param {string} label
 * @param {() => void} onclick
 * @param {Record<string, string>} [attributes]
 */
function toolButton(symbol, label, onclick, attributes = {}) {
  return h(
    'button',
    { type: 'button', class: 'tool', ...attributes, onclick },
    icon(symbol),
    h('span', { class: 'tool-label' }, label),
  );
}

/**
 * @param {HTMLButtonElement} button
 * @param {string} symbol an icon's name
 * @param {string} label what pressing it will do
 * @param {boolean} [pressed] for toggles: whether the thing is on (red)
 */
function showTool(button, symbol, label, pressed) {
  const [iconElement, labelElement] = button.children;
  if (iconElement instanceof SVGElement && iconElement.dataset.icon !== symbol)
    iconElement.replaceWith(icon(symbol));
  if (labelElement) labelElement.textContent = label;
  // The label changes with the state, so no aria-pressed ("Unmute, pressed" says it twice).
  if (pressed !== undefined) button.toggleAttribute('data-active', pressed);
}

/** Stands for your own tile where a socket id would be (you share your screen). */
const SELF = 'self';

/** Whether the page is laid out for a phone (narrow), where panels are sheets. */
function narrow() {
  return window.matchMedia('(max-width: 50rem)').matches;
}

export class CallView {
  #code;
  #root;
  #stage = h('section', { class: 'stage', 'aria-label': 'Videos' });
  #grid = h('div', { class: 'grid' });
  #strip = h('div', { class: 'strip' });
  #spotlight = h('div', { class: 'spotlight' });
  #self;
  /** @type {Map<string, Tile>} other participants' tiles, by socket id */
  #tiles = new Map();
  /** @type {Tile | undefined} */
  #pinned;
  /**
   * Who shares a screen (the latest to start): a socket id, or SELF for you.
   * @type {string | undefined}
   */
  #sharing;
  /** Said above your own screen, shown large while you share it. */
  #presenting = h(
    'p',
    { class: 'presenting', role: 'status', hidden: true },
    'You are presenting: everyone sees your screen.',
  );
  #mute;
  #camera;
  #screen;
  #hand;
  #peopleButton;
  #chatButton;
  #fullScreen;
  #endForAll;
  #unread = 0;
  /** @type {HTMLButtonElement | undefined} the toolbar button that opened the panel */
  #openedBy;
  #unreadBadge = h('span', { class: 'count', hidden: true });
  #chat;
  #participants;
  #lobby;
  #side;
  #title = h('h1', {});
  #subtitle = h('p', { class: 'meeting-code' });
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
  #passcodeStatus = h('p', { role: 'status' });
  #passcodeInput;
  /** @type {((passcode: string | undefined) => void) | undefined} */
  #passcodeAnswer;
  #waitingScreen;
  #leaveDialog;
  #isHost = false;
  #resize = new ResizeObserver(() => this.#layout());
  /** Aborted when the view goes: the listeners it put on the document go with it. */
  #disposed = new AbortController();

  /**
   * @param {string} code the meeting code
   * @param {string} name your display name
   * @param {CallControls} controls
   */
  constructor(code, name, controls) {
    this.#code = code;
    this.#title.textContent = code;
    this.#subtitle.hidden = true;
    this.#self = new Tile({ name, onPin: (tile) => this.#togglePin(tile) });
    this.#mute = toolButton('mic', 'Mute', controls.onMute);
    this.#camera = toolButton('camera', 'Stop camera', controls.onCamera);
    this.#screen = toolButton('screen', 'Share screen', controls.onScreen);
    // A browser that cannot capture a screen (most phones) offers no button that cannot work.
    this.#screen.hidden = typeof navigator.mediaDevices?.getDisplayMedia !== 'function';
    this.#hand = toolButton('hand', 'Raise hand', controls.onRaiseHand);
    this.#peopleButton = toolButton(
      'people',
      'Participants',
      () => this.#openPanel('participants'),
      {
        'aria-expanded': 'false',
        'aria-controls': 'participants',
      },
    );
    this.#chatButton = toolButton('chat', 'Chat', () => this.#openPanel('chat'), {
      'aria-expanded': 'false',
      'aria-controls': 'chat',
    });
    this.#chatButton.append(this.#unreadBadge);
    this.#fullScreen = toolButton('fullscreen', 'Full screen', () => void this.#toggleFullScreen());
    this.#fullScreen.hidden = !document.fullscreenEnabled;
    document.addEventListener('fullscreenchange', () => this.#showFullScreen(), {
      signal: this.#disposed.signal,
    });
    // On a phone, Escape closes a sheet (not while a dialog is open: Escape closes that).
    document.addEventListener(
      'keydown',
      (event) => {
        if (event.key !== 'Escape' || event.defaultPrevented || !narrow()) return;
        if (!this.#side.classList.contains('open') || this.#leaveDialog.open) return;
        event.preventDefault();
        this.#closePanels(true);
      },
      { signal: this.#disposed.signal },
    );
    const leave = toolButton('leave', 'Leave', () => this.#confirmLeave(controls), {
      class: 'tool leave',
    });
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
    this.#chat = new ChatPanel(controls.onSend, () => this.#closePanels());
    this.#participants = new ParticipantsPanel(controls, () => this.#closePanels());
    this.#lobby = new LobbyPanel(controls);
    this.#side = h(
      'div',
      { class: 'side' },
      this.#lobby.element,
      this.#participants.element,
      this.#chat.element,
    );
    this.#leaveDialog = this.#leaveConfirmation(controls);
    this.#invite = this.#inviteControl();
    this.#root = h(
      'div',
      { class: 'call' },
      h(
        'header',
        { class: 'meeting-header' },
        h('div', { class: 'meeting-name' }, this.#title, this.#subtitle),
        this.#lockedBadge,
        this.#invite,
        this.#hostPasscode,
      ),
      this.#reconnecting,
      h('div', { class: 'call-body' }, this.#stage, this.#side),
      h(
        'div',
        { class: 'controls toolbar', role: 'toolbar', 'aria-label': 'Call controls' },
        this.#mute,
        this.#camera,
        this.#screen,
        this.#hand,
        this.#peopleButton,
        this.#chatButton,
        this.#fullScreen,
        leave,
        this.#endForAll,
      ),
      this.#leaveDialog,
    );
    this.#stage.append(this.#presenting, this.#grid);
    this.#grid.append(this.#self.element);
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
        this.#passcodeStatus,
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
    // Chat open beside the call on a wide screen; on a phone, panels open on demand.
    if (!narrow()) this.#openPanel('chat');
    render(this.#passcodeScreen, this.#waitingScreen, this.#root);
    document.body.classList.add('in-call');
    this.#resize.observe(this.#stage);
  }

  /** The page leaves the call view: observers stop, full screen ends, the body is itself again. */
  dispose() {
    this.#disposed.abort();
    this.#resize.disconnect();
    document.title = 'Meet';
    document.body.classList.remove('in-call', 'sheet-open');
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    if (this.#leaveDialog.open) this.#leaveDialog.close();
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
    this.#title.textContent = title || this.#code;
    this.#subtitle.textContent = title ? this.#code : '';
    this.#subtitle.hidden = !title;
    document.title = `${title || this.#code} · Meet`;
    this.#hostPasscode.textContent = passcode ? `Passcode: ${passcode}` : '';
    this.#hostPasscode.hidden = !passcode;
  }

  /**
   * Your own tile and buttons: what the others see of you, and what each button will do.
   * @param {MediaState} state
   * @param {MediaStreamTrack | undefined} videoTrack what the others see of you
   */
  showLocalMedia(state, videoTrack) {
    showTool(
      this.#mute,
      state.audio ? 'mic' : 'mic-off',
      state.audio ? 'Mute' : 'Unmute',
      !state.audio,
    );
    showTool(
      this.#camera,
      state.video ? 'camera' : 'camera-off',
      state.video ? 'Stop camera' : 'Start camera',
      !state.video,
    );
    showTool(this.#screen, 'screen', state.screen ? 'Stop sharing' : 'Share screen', state.screen);
    this.#self.showMedia(state);
    this.#self.showTrack(videoTrack);
    // Your own share is shown large to you too, as the others see it (the latest share wins).
    const started = state.screen && this.#presenting.hidden;
    if (started) this.#sharing = SELF;
    else if (!state.screen && this.#sharing === SELF) this.#sharing = undefined;
    this.#presenting.hidden = !state.screen;
    this.#layout();
  }

  /** @param {boolean} raised */
  showHand(raised) {
    showTool(this.#hand, 'hand', raised ? 'Lower hand' : 'Raise hand', raised);
    this.#self.showHand(raised);
  }

  /**
   * @param {string} socketId
   * @param {string} name
   */
  addTile(socketId, name) {
    const tile = new Tile({ name, socketId, onPin: (pinned) => this.#togglePin(pinned) });
    this.#tiles.set(socketId, tile);
    this.#grid.append(tile.element);
    this.#layout();
    return tile;
  }

  /** @param {string} socketId */
  removeTile(socketId) {
    const tile = this.#tiles.get(socketId);
    if (!tile) return;
    tile.remove();
    this.#tiles.delete(socketId);
    if (this.#pinned === tile) this.#pinned = undefined;
    if (this.#sharing === socketId) this.#sharing = undefined;
    this.#layout();
  }

  /**
   * A participant's media changed: a screen shared by someone takes the large tile.
   * @param {string} socketId
   * @param {MediaState | null} media
   */
  showMedia(socketId, media) {
    const tile = this.#tiles.get(socketId);
    if (!tile) return;
    tile.showMedia(media);
    if (media?.screen) this.#sharing = socketId;
    else if (this.#sharing === socketId) this.#sharing = undefined;
    this.#layout();
  }

  /**
   * @param {string} sender
   * @param {string} text
   * @param {Date} sentAt
   * @param {boolean} mine
   */
  showMessage(sender, text, sentAt, mine) {
    this.#chat.append(sender, text, sentAt);
    if (mine || this.chatShown) return;
    this.#unread += 1;
    this.#unreadBadge.hidden = false;
    this.#unreadBadge.textContent = '';
    this.#unreadBadge.append(
      String(this.#unread),
      h('span', { class: 'visually-hidden' }, ' unread'),
    );
  }

  /** Whether a new message is seen where it arrives (the chat is open). */
  get chatShown() {
    return !this.#chat.element.hidden;
  }

  /**
   * Everyone in the call, you included; what you may do follows from your role.
   * @param {Person[]} people
   * @param {string | undefined} selfId
   */
  showParticipants(people, selfId) {
    this.#participants.show(people, selfId);
    const [, label] = this.#peopleButton.children;
    if (label) label.textContent = `Participants (${people.length})`;
    const role = people.find((person) => person.socketId === selfId)?.role;
    this.#isHost = role === 'host';
    this.#endForAll.hidden = !this.#isHost;
  }

  /**
   * @param {LobbyEntry[]} waiting
   * @param {boolean} moderator
   */
  showLobby(waiting, moderator) {
    this.#lobby.show(waiting, moderator);
    this.#side.classList.toggle('has-lobby', !this.#lobby.element.hidden);
  }

  /** @param {MeetingState} state */
  showMeetingState(state) {
    this.#participants.showMeetingState(state);
    this.#lockedBadge.hidden = !state.locked;
  }

  /**
   * Who is speaking: a ring on their tiles; `self` is your own tile's id.
   * @param {Set<string>} speaking socket ids, or 'self'
   */
  showSpeaking(speaking) {
    this.#self.showSpeaking(speaking.has('self'));
    for (const [id, tile] of this.#tiles) tile.showSpeaking(speaking.has(id));
  }

  /**
   * Plays everyone's sound on this speaker (a device id; '' for the default).
   * @param {string} speakerId
   */
  useSpeaker(speakerId) {
    for (const tile of this.#tiles.values()) {
      const video =
        /** @type {HTMLVideoElement & { setSinkId?: (id: string) => Promise<void> }} */ (
          tile.video
        );
      void video.setSinkId?.(speakerId).catch(() => undefined);
    }
  }

  /**
   * Shows the passcode form instead of the call until a passcode is submitted.
   * @param {string} problem why it is asked (again): passcode needed, wrong, too many tries
   * @returns {Promise<string | undefined>} undefined when another question replaced this one
   */
  askPasscode(problem) {
    this.#passcodeAnswer?.(undefined);
    this.#passcodeError.textContent = problem;
    this.#passcodeStatus.textContent = '';
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
    this.#layout();
  }

  /**
   * Asks whether to leave the call (a link or the back button while in it).
   * @returns {Promise<boolean>}
   */
  askToLeave() {
    if (this.#root.hidden) return Promise.resolve(true);
    return new Promise((resolve) => {
      const dialog = this.#leaveDialog;
      const answered = () =>
        resolve(dialog.returnValue === 'leave' || dialog.returnValue === 'end');
      dialog.addEventListener('close', answered, { once: true });
      dialog.returnValue = '';
      dialog.showModal();
    });
  }

  /**
   * Replaces the whole page: the call is over for this page.
   * @param {EndScreen} screen
   */
  showEnd({ id, title, detail, rejoin, banned, actions = [] }) {
    this.#passcodeAnswer?.(undefined);
    this.#passcodeAnswer = undefined;
    this.dispose();
    /** @type {EndAction[]} */
    const rejoinLink = rejoin
      ? [{ label: rejoin, href: `/meet/${encodeURIComponent(this.#code)}` }]
      : [];
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
          ...[...rejoinLink, ...actions].map(({ label, href, onclick }) =>
            href
              ? h('a', { href, 'data-link': true, class: 'button' }, label)
              : h('button', { type: 'button', onclick }, label),
          ),
          h('a', { href: '/', 'data-link': true }, 'Back to home'),
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
    this.#passcodeError.textContent = '';
    this.#passcodeStatus.textContent = 'Checking…';
    answer?.(passcode);
  }

  /**
   * Shows the participants or the chat in the side panel (a sheet on a phone); pressed
   * again, closes it.
   * @param {'participants' | 'chat'} which
   */
  #openPanel(which) {
    const panel = which === 'chat' ? this.#chat.element : this.#participants.element;
    if (!panel.hidden) return this.#closePanels();
    this.#chat.element.hidden = which !== 'chat';
    this.#participants.element.hidden = which !== 'participants';
    this.#peopleButton.setAttribute('aria-expanded', String(which === 'participants'));
    this.#chatButton.setAttribute('aria-expanded', String(which === 'chat'));
    this.#side.classList.add('open');
    // On a phone the panel is a sheet: notifications move clear of it (styles.css).
    document.body.classList.add('sheet-open');
    this.#openedBy = which === 'chat' ? this.#chatButton : this.#peopleButton;
    if (which === 'chat') {
      this.#unread = 0;
      this.#unreadBadge.hidden = true;
      // The messages are in view now: their notification goes.
      unsay('chat');
      this.#chat.scrollToEnd();
      if (narrow()) this.#chat.focusInput();
    }
    this.#layout();
  }

  /**
   * Closes the panel. Focus that was in it goes back to the button that opened it.
   * @param {boolean} [refocus] back to that button wherever the focus was (Escape)
   */
  #closePanels(refocus = false) {
    const focusWasInside = this.#side.contains(document.activeElement);
    this.#chat.element.hidden = true;
    this.#participants.element.hidden = true;
    this.#peopleButton.setAttribute('aria-expanded', 'false');
    this.#chatButton.setAttribute('aria-expanded', 'false');
    this.#side.classList.remove('open');
    document.body.classList.remove('sheet-open');
    if (focusWasInside || refocus) this.#openedBy?.focus();
    this.#openedBy = undefined;
    this.#layout();
  }

  /** @param {Tile} tile */
  #togglePin(tile) {
    this.#pinned = this.#pinned === tile ? undefined : tile;
    this.#layout();
  }

  async #toggleFullScreen() {
    try {
      if (document.fullscreenElement) await document.exitFullscreen();
      else await document.documentElement.requestFullscreen();
    } catch {
      say('Full screen is not available here.', { kind: 'error' });
    }
  }

  #showFullScreen() {
    const on = document.fullscreenElement !== null;
    showTool(this.#fullScreen, 'fullscreen', on ? 'Exit full screen' : 'Full screen', on);
  }

  /**
   * Lays the tiles out: the large tile (pinned, else a shared screen) with the others in a
   * strip, or all of them in the grid that gives each the largest size the stage allows.
   */
  #layout() {
    const all = [this.#self, ...this.#tiles.values()];
    const latest =
      this.#sharing === SELF
        ? this.#self
        : this.#sharing
          ? this.#tiles.get(this.#sharing)
          : undefined;
    // The latest to share stopped while another still shares: that one.
    const sharing = latest ?? all.find((tile) => tile.element.classList.contains('sharing'));
    const large = this.#pinned ?? sharing;
    for (const tile of all) tile.showPinned(tile === this.#pinned);
    const width = this.#stage.clientWidth;
    const height = this.#stage.clientHeight;
    if (large && all.length > 1) {
      this.#stage.classList.add('spotlit');
      if (this.#grid.parentElement) this.#grid.remove();
      if (!this.#spotlight.parentElement) this.#stage.append(this.#spotlight, this.#strip);
      if (large.element.parentElement !== this.#spotlight)
        this.#spotlight.replaceChildren(large.element);
      const others = all.filter((tile) => tile !== large);
      // Moved only when the order changed: moving an element drops the focus inside it.
      const order = others.map((tile) => tile.element);
      if (order.some((element, index) => this.#strip.children[index] !== element))
        this.#strip.replaceChildren(...order);
      // The strip's tiles share its width, at most a fixed size each; beyond about 25 people
      // it scrolls sideways rather than shrinking them to slivers.
      const stripWidth = Math.floor(
        Math.min(200, (width - GAP * (others.length - 1)) / Math.max(1, others.length)),
      );
      this.#strip.style.setProperty('--tile-width', `${Math.max(96, stripWidth)}px`);
      return;
    }
    this.#stage.classList.remove('spotlit');
    if (this.#spotlight.parentElement) {
      this.#spotlight.remove();
      this.#strip.remove();
    }
    if (!this.#grid.parentElement) this.#stage.append(this.#grid);
    for (const tile of all)
      if (tile.element.parentElement !== this.#grid) this.#grid.append(tile.element);
    if (width === 0 || height === 0) return;
    const { columns, tileWidth } = bestGrid(all.length, width, height);
    this.#grid.style.setProperty('--columns', String(columns));
    this.#grid.style.setProperty('--tile-width', `${tileWidth}px`);
  }

  /**
   * The dialog that asks before leaving: Leave meeting, Cancel, and for a host End for all.
   * @param {CallControls} controls
   */
  #leaveConfirmation(controls) {
    const endForAll = h(
      'button',
      { type: 'submit', value: 'end', class: 'danger' },
      'End meeting for all',
    );
    const dialog = h(
      'dialog',
      { class: 'confirm', 'aria-labelledby': 'leave-title' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: 'leave-title' }, 'Leave the meeting?'),
        h('p', {}, 'Your camera and microphone will turn off. You can rejoin afterwards.'),
        h(
          'div',
          { class: 'controls' },
          h('button', { type: 'submit', value: 'leave', class: 'danger' }, 'Leave meeting'),
          endForAll,
          h(
            'button',
            { type: 'submit', value: 'cancel', class: 'secondary', autofocus: true },
            'Cancel',
          ),
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      if (dialog.returnValue === 'end') void controls.onEndForAll();
    });
    // Shown to hosts only, each time the dialog opens.
    new MutationObserver(() => (endForAll.hidden = !this.#isHost)).observe(dialog, {
      attributes: true,
      attributeFilter: ['open'],
    });
    return dialog;
  }

  /** @param {CallControls} controls */
  async #confirmLeave(controls) {
    if (await this.askToLeave()) {
      if (this.#leaveDialog.returnValue === 'leave') controls.onLeave();
    }
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
