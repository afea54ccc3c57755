// @ts-check
// The signaling socket, typed by the protocol's event maps: one method per client event, and
// listeners checked against the server's events.
import { io } from '/socket.io/socket.io.esm.min.js';

/** @typedef {import('../lib/protocol.js').ClientToServerEvents} ClientToServerEvents */
/** @typedef {import('../lib/protocol.js').ServerToClientEvents} ServerToClientEvents */
/** @typedef {import('../lib/protocol.js').JoinAnswer} JoinAnswer */
/** @typedef {import('../lib/protocol.js').MediaState} MediaState */
/** @typedef {import('../lib/protocol.js').SignalPayload} SignalPayload */

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

  /** Leaves the room and closes the connection for good. */
  leave() {
    this.#socket.emit('leave-call');
    this.#socket.close();
  }
}
