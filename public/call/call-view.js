// @ts-check
// The call page: the participants' grid (your own tile first), the call controls and the chat
// panel. It draws what it is told and reports clicks; the call decides what they do.
import { h, render } from '../lib/dom.js';
import { ChatPanel } from './chat-panel.js';
import { RemoteTile } from './remote-tile.js';

/** @typedef {import('../lib/protocol.js').MediaState} MediaState */

/**
 * @typedef {object} CallControls
 * @property {() => void} onMute Mute / Unmute
 * @property {() => void} onCamera Stop camera / Start camera
 * @property {() => void} onScreen Share screen, pressed while sharing
 * @property {() => void} onRaiseHand Raise hand, pressed while raised
 * @property {() => void} onLeave
 * @property {(text: string) => void} onSend a chat message, trimmed and not empty
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
  #root;
  #grid = h('section', { class: 'grid', 'aria-label': 'Participants' });
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
  #chat;

  /**
   * @param {string} code the meeting code, the page's title
   * @param {string} name your display name
   * @param {CallControls} controls
   */
  constructor(code, name, controls) {
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
    const leave = h(
      'button',
      { type: 'button', class: 'secondary', onclick: controls.onLeave },
      'Leave',
    );
    this.#chat = new ChatPanel(controls.onSend);
    this.#root = h(
      'div',
      { class: 'call' },
      h(
        'div',
        {},
        this.#grid,
        h(
          'div',
          { class: 'controls', role: 'toolbar', 'aria-label': 'Call controls' },
          this.#mute,
          this.#camera,
          this.#screen,
          this.#hand,
          leave,
        ),
      ),
      this.#chat.element,
    );
    render(h('h1', {}, code), this.#root);
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
}
