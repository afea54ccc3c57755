// @ts-check
// One other participant's tile: their video, name and badges (muted, camera off, screen,
// raised hand). `data-peer` is their socket id, `data-connection` the peer connection's state.
import { h } from '../lib/dom.js';

/** @typedef {import('../lib/protocol.js').MediaState} MediaState */

export class RemoteTile {
  #video;
  #label;
  #badges = h('div', { class: 'badges' });
  /** @type {MediaState | null} null until the participant's media state is known */
  #media = null;
  #handRaised = false;
  #reconnecting = false;

  /**
   * @param {string} socketId
   * @param {string} name
   */
  constructor(socketId, name) {
    this.#video = h('video', { autoplay: true, playsinline: true });
    this.#label = h('figcaption', { class: 'label' });
    this.element = h(
      'figure',
      { class: 'tile', 'data-peer': socketId, 'data-connection': 'new' },
      this.#video,
      this.#label,
      this.#badges,
    );
    this.setName(name);
  }

  /** @param {string} name */
  setName(name) {
    this.#label.textContent = name;
    this.#video.setAttribute('aria-label', `Video of ${name}`);
  }

  /** @param {MediaStream} stream */
  showStream(stream) {
    if (this.#video.srcObject !== stream) this.#video.srcObject = stream;
  }

  /** @param {RTCPeerConnectionState} state */
  showConnection(state) {
    this.element.dataset.connection = state;
  }

  /** @param {MediaState | null} media null: not reported yet (no badges rather than wrong ones) */
  showMedia(media) {
    this.#media = media;
    this.#renderBadges();
  }

  /** @param {boolean} raised */
  showHand(raised) {
    this.#handRaised = raised;
    this.#renderBadges();
  }

  /** @param {boolean} reconnecting their signaling connection dropped; media may still flow */
  showReconnecting(reconnecting) {
    this.#reconnecting = reconnecting;
    if (reconnecting) this.element.dataset.reconnecting = '';
    else delete this.element.dataset.reconnecting;
    this.#renderBadges();
  }

  remove() {
    this.element.remove();
  }

  #renderBadges() {
    /** @param {string} kind @param {string} text */
    const badge = (kind, text) => h('span', { class: 'badge', 'data-badge': kind }, text);
    const media = this.#media;
    const badges = [];
    if (media && !media.audio) badges.push(badge('muted', 'muted'));
    if (media && !media.video) badges.push(badge('camera-off', 'camera off'));
    if (media?.screen) badges.push(badge('screen', 'screen'));
    if (this.#handRaised) badges.push(badge('hand', '✋'));
    if (this.#reconnecting) badges.push(badge('reconnecting', 'reconnecting…'));
    this.#badges.replaceChildren(...badges);
  }
}
