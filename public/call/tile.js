// @ts-check
// One participant's tile, yours or another's: their video, or an avatar with their initials
// while their camera is off; their name; badges for muted, camera off, sharing, raised hand
// and reconnecting; a ring while they speak; and a Pin button. Remote tiles carry
// `data-peer` (their socket id) and `data-connection` (the peer connection's state); yours
// carries `data-local`.
import { h } from '../lib/dom.js';
import { icon } from './icons.js';

/** @typedef {import('../lib/protocol.js').MediaState} MediaState */

/**
 * Up to two initials of a name ("Ada Lovelace" → "AL", "grace" → "G").
 * @param {string} name
 */
export function initialsOf(name) {
  const words = name
    .replace(/\(.*?\)/g, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((word) => [...word][0]?.toUpperCase() ?? '').join('') || '?';
}

/**
 * A colour of its own for each name, dark enough for white initials (contrast ≥ 4.5:1).
 * @param {string} name
 */
function colourOf(name) {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return `hsl(${hash % 360} 55% 32%)`;
}

export class Tile {
  #video;
  #avatar = h('div', { class: 'avatar', 'aria-hidden': 'true' });
  #label = h('figcaption', { class: 'label' });
  #badges = h('div', { class: 'badges' });
  #pin;
  #name = '';
  #local;
  /** @type {MediaState | null} null until the participant's media state is known */
  #media = null;
  #handRaised = false;
  #reconnecting = false;
  #pinned = false;

  /**
   * @param {object} options
   * @param {string} options.name
   * @param {string} [options.socketId] another participant's; none for your own tile
   * @param {(tile: Tile) => void} [options.onPin] the Pin button was pressed (none: no button)
   */
  constructor({ name, socketId, onPin }) {
    this.#local = socketId === undefined;
    this.#video = h('video', { autoplay: true, playsinline: true });
    // Your own preview: never your own sound, and mirrored as a mirror would show you.
    if (this.#local) this.#video.muted = true;
    this.#pin = h('button', {
      type: 'button',
      class: 'pin',
      hidden: onPin === undefined,
      onclick: () => onPin?.(this),
    });
    this.element = h(
      'figure',
      socketId === undefined
        ? { class: 'tile no-video', 'data-local': true }
        : { class: 'tile no-video', 'data-peer': socketId, 'data-connection': 'new' },
      this.#video,
      this.#avatar,
      this.#label,
      this.#badges,
      this.#pin,
    );
    this.#video.addEventListener('resize', () => this.#showVideo());
    this.#video.addEventListener('playing', () => this.#showVideo());
    this.setName(name);
    this.#renderBadges();
  }

  /** @param {string} name */
  setName(name) {
    this.#name = name;
    // Your own tile before you gave a name (a guest's pre-join preview): just "You".
    const shown = this.#local ? (name ? `${name} (you)` : 'You') : name;
    this.#label.textContent = shown;
    this.#video.setAttribute('aria-label', this.#local ? 'Your video' : `Video of ${name}`);
    this.#avatar.textContent = initialsOf(name);
    this.#avatar.style.background = colourOf(name);
    this.#renderPin(this.#pinned);
  }

  /**
   * What this tile plays: another's whole stream (their sound too), or your video track.
   * @param {MediaStream} stream
   */
  showStream(stream) {
    if (this.#video.srcObject !== stream) this.#video.srcObject = stream;
  }

  /**
   * Your own tile's video (the camera, or the screen you share); undefined: none.
   * @param {MediaStreamTrack | undefined} track
   */
  showTrack(track) {
    const current = /** @type {MediaStream | null} */ (this.#video.srcObject);
    if (current?.getVideoTracks()[0] === track) return;
    this.#video.srcObject = track ? new MediaStream([track]) : null;
    this.#showVideo();
  }

  /** The element that plays this participant (its sound goes to the chosen speaker). */
  get video() {
    return this.#video;
  }

  /** @param {RTCPeerConnectionState} state */
  showConnection(state) {
    this.element.dataset.connection = state;
  }

  /** @param {MediaState | null} media null: not reported yet (no badges rather than wrong ones) */
  showMedia(media) {
    this.#media = media;
    this.element.classList.toggle('sharing', media?.screen === true);
    this.#renderBadges();
    this.#showVideo();
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

  /** @param {boolean} speaking */
  showSpeaking(speaking) {
    if (speaking) this.element.dataset.speaking = '';
    else delete this.element.dataset.speaking;
  }

  /** @param {boolean} pinned */
  showPinned(pinned) {
    if (pinned === this.#pinned) return;
    this.#pinned = pinned;
    this.element.classList.toggle('pinned', pinned);
    this.#renderPin(pinned);
  }

  remove() {
    this.#video.srcObject = null;
    this.element.remove();
  }

  /** @param {boolean} pinned */
  #renderPin(pinned) {
    const whom = this.#local ? 'your video' : this.#name;
    this.#pin.setAttribute('aria-label', pinned ? `Unpin ${whom}` : `Pin ${whom}`);
    this.#pin.textContent = pinned ? 'Unpin' : 'Pin';
  }

  /**
   * The avatar while there is no picture: the camera is off (and nothing shared), or no
   * video has arrived yet.
   */
  #showVideo() {
    const media = this.#media;
    const stream = /** @type {MediaStream | null} */ (this.#video.srcObject);
    const track = stream?.getVideoTracks()[0];
    const playing =
      track !== undefined && track.readyState === 'live' && this.#video.videoWidth > 0;
    const off = media !== null && !media.video && !media.screen;
    this.element.classList.toggle('no-video', off || !playing);
  }

  #renderBadges() {
    /** @param {string} kind @param {string} symbol @param {string} label */
    const badge = (kind, symbol, label) =>
      h(
        'span',
        { class: 'badge', 'data-badge': kind, title: label },
        symbol ? icon(symbol) : '',
        h('span', { class: symbol ? 'visually-hidden' : '' }, label),
      );
    const media = this.#media;
    const badges = [];
    if (this.#handRaised) badges.push(badge('hand', 'hand', 'hand raised'));
    if (media && !media.audio) badges.push(badge('muted', 'mic-off', 'muted'));
    if (media && !media.video) badges.push(badge('camera-off', 'camera-off', 'camera off'));
    if (media?.screen) badges.push(badge('screen', 'screen', 'sharing their screen'));
    if (this.#reconnecting) badges.push(badge('reconnecting', '', 'reconnecting…'));
    this.#badges.replaceChildren(...badges);
  }
}
