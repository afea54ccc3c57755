// @ts-check
// The signaling socket, typed by the protocol's event maps: one method per client event, and
// listeners checked against the server's events.
import { io } from '/socket.io/socket.io.esm.min.js';

/** @typedef {import('../lib/protocol.js').ClientToServerEvents} ClientToServerEvents */
/** @typedef {import('../lib/protocol.js').ServerToClientEvents} ServerToClientEvents */
/** @typedef {import('../lib/protocol.js').JoinAnswer} JoinAnswer */
/** @typedef {import('../lib/protocol.js').MediaState} MediaState */
/** @typedef {import('../lib/protocol.js').SignalPayload} SignalPayload */
/** @typedef {import('../lib/protocol.js').ActionAnswer} ActionAnswer */
/** @typedef {import('../lib/protocol.js').WaitingRoomMode} WaitingRoomMode */

/** How long a host action waits for the server's answer. */
const ACTION_TIMEOUT_MS = 10_000;

/**
 * The server's answer, or a refusal of our own when none comes in time or the connection
 * closes first.
 * @param {Promise<ActionAnswer>} answer
 * @returns {Promise<ActionAnswer>}
 */
async function withinTime(answer) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {Promise<ActionAnswer>} */
  const late = new Promise((resolve) => {
    timer = setTimeout(
      () =>
        resolve({ ok: false, error: { code: 'internal', message: 'no answer from the server' } }),
      ACTION_TIMEOUT_MS,
    );
  });
  // Disconnected before the answer (the call ended meanwhile, say): a refusal, not an error.
  /** @type {Promise<ActionAnswer>} */
  const settled = answer.catch(() => ({
    ok: false,
    error: { code: 'unavailable', message: 'disconnected before the server answered' },
  }));
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}

export class SignalingClient {
  /** @type {import('socket.io-client').Socket<ServerToClientEvents, ClientToServerEvents>} */
  #socket;

  /**
   * Does not connect yet: listeners go on first, then connect().
   * @param {string | null} token signed in, or a guest without
   */
  constructor(token) {
    this.#socket = io({
      auth: token ? { token } : {},
      transports: ['websocket', 'polling'],
      autoConnect: false,
    });
  }

  /** This connection's socket id; undefined while disconnected. */
  get id() {
    return this.#socket.id;
  }

  /** Whether Socket.IO still (re)connects by itself: false once the server refused it. */
  get active() {
    return this.#socket.active;
  }

  /** Whether the connection is up. */
  get connected() {
    return this.#socket.connected;
  }

  /** Whether the last connection resumed the previous one (same id, room and peers). */
  get recovered() {
    return this.#socket.recovered;
  }

  connect() {
    this.#socket.connect();
  }

  /**
   * @template {keyof ServerToClientEvents} E
   * @param {E} event
   * @param {ServerToClientEvents[E]} listener
   */
  on(event, listener) {
    // socket.io-client types a listener through a conditional type that TypeScript cannot
    // resolve for a generic event name: this method's own signature does the checking.
    const socket = /** @type {import('socket.io-client').Socket} */ (this.#socket);
    socket.on(/** @type {string} */ (event), listener);
  }

  /** @param {() => void} listener on every connection, the first and each reconnection */
  onConnect(listener) {
    this.#socket.on('connect', listener);
  }

  /** @param {(willReconnect: boolean) => void} listener */
  onDisconnect(listener) {
    // `active`: Socket.IO will reconnect by itself (not after leave() or a server kick).
    this.#socket.on('disconnect', () => listener(this.#socket.active));
  }

  /** @param {(error: Error) => void} listener */
  onConnectError(listener) {
    this.#socket.on('connect_error', listener);
  }

  /**
   * Joins a room; rejects when the connection drops before the server answers.
   * @param {string} roomId
   * @param {string} displayName
   * @param {string} [passcode] a registered meeting's passcode
   * @returns {Promise<JoinAnswer>}
   */
  join(roomId, displayName, passcode) {
    return passcode === undefined
      ? this.#socket.emitWithAck('join-call', roomId, displayName)
      : this.#socket.emitWithAck('join-call', roomId, displayName, { passcode });
  }

  /**
   * @param {string} to
   * @param {SignalPayload} message
   */
  signal(to, message) {
    this.#socket.emit('signal', to, message);
  }

  /**
   * @param {string} text
   * @param {string} senderName
   */
  chat(text, senderName) {
    this.#socket.emit('chat-message', text, senderName);
  }

  /** @param {MediaState} state */
  mediaState(state) {
    this.#socket.emit('media-state', state);
  }

  /** @param {boolean} raised */
  raiseHand(raised) {
    this.#socket.emit('raise-hand', raised);
  }

  // Host and co-host actions: each answers {ok: true} or {ok: false, error}.

  /**
   * @param {string} socketId
   * @param {'cohost' | 'participant'} role
   */
  setRole(socketId, role) {
    return withinTime(this.#socket.emitWithAck('set-role', socketId, role));
  }

  /** @param {string} socketId */
  muteParticipant(socketId) {
    return withinTime(this.#socket.emitWithAck('mute-participant', socketId));
  }

  muteAll() {
    return withinTime(this.#socket.emitWithAck('mute-all'));
  }

  /**
   * @param {string} socketId
   * @param {boolean} ban
   */
  removeParticipant(socketId, ban) {
    return withinTime(this.#socket.emitWithAck('remove-participant', socketId, { ban }));
  }

  endMeeting() {
    return withinTime(this.#socket.emitWithAck('end-meeting'));
  }

  /** @param {string} socketId */
  admit(socketId) {
    return withinTime(this.#socket.emitWithAck('admit', socketId));
  }

  admitAll() {
    return withinTime(this.#socket.emitWithAck('admit-all'));
  }

  /** @param {string} socketId */
  deny(socketId) {
    return withinTime(this.#socket.emitWithAck('deny', socketId));
  }

  /** @param {{ locked?: boolean, muteOnEntry?: boolean, waitingRoom?: WaitingRoomMode }} changes */
  updateMeeting(changes) {
    return withinTime(this.#socket.emitWithAck('update-meeting', changes));
  }

  /**
   * Whether the connection still carries messages both ways: the media state sent again,
   * answered by the server within `timeoutMs` (an answer that refuses counts too).
   * @param {MediaState} state
   * @param {number} timeoutMs
   */
  async confirmConnection(state, timeoutMs) {
    if (!this.#socket.connected) return false;
    try {
      await this.#socket.timeout(timeoutMs).emitWithAck('media-state', state);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Closes the connection as a network failure would: Socket.IO's Manager reconnects by
   * itself with the same socket, which the server resumes (same id, room and peers) within
   * its grace window. Not `leave()`: that would leave the room.
   */
  dropConnection() {
    if (this.#socket.connected) this.#socket.io.engine?.close();
  }

  /** Leaves the room and closes the connection for good. */
  leave() {
    this.#socket.emit('leave-call');
    this.#socket.close();
  }
}
