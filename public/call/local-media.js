// @ts-check
// This page's camera, microphone and shared screen: what every peer receives, and the mute,
// camera and screen switches. Fires `change` whenever the state or the sent video changes.
import { errorMessage, say } from '../lib/dom.js';

/** @typedef {import('../lib/protocol.js').MediaState} MediaState */

export class LocalMedia extends EventTarget {
  /** Microphone and camera as captured; every peer connection announces its tracks in it. */
  #stream;
  /** @type {MediaStreamTrack | undefined} */
  #camera;
  /** @type {MediaStreamTrack | undefined} */
  #screen;
  #audio = true;
  #video = true;

  /** Opens camera and microphone; without them (refused, absent) the call still receives. */
  static async open() {
    try {
      return new LocalMedia(
        await navigator.mediaDevices.getUserMedia({ audio: true, video: true }),
      );
    } catch (failure) {
      say(`Camera/microphone unavailable (${errorMessage(failure)}); joining without them.`);
      return new LocalMedia(new MediaStream());
    }
  }

  /** @param {MediaStream} stream */
  constructor(stream) {
    super();
    this.#stream = stream;
    this.#camera = stream.getVideoTracks()[0];
  }

  get stream() {
    return this.#stream;
  }

  /** @returns {MediaState} */
  get state() {
    return { audio: this.#audio, video: this.#video, screen: this.#screen !== undefined };
  }

  /** The video peers receive: the shared screen while sharing, else the camera. */
  get videoTrack() {
    return this.#screen ?? this.#camera;
  }

  /** What a new peer connection sends. */
  get tracks() {
    const video = this.videoTrack;
    return [...this.#stream.getAudioTracks(), ...(video ? [video] : [])];
  }

  /** @param {boolean} on */
  setAudio(on) {
    this.#audio = on;
    for (const track of this.#stream.getAudioTracks()) track.enabled = on;
    this.#changed();
  }

  /** @param {boolean} on */
  setVideo(on) {
    this.#video = on;
    if (this.#camera) this.#camera.enabled = on;
    this.#changed();
  }

  /** Asks the browser for a screen to share; tells the user when there is none. */
  async shareScreen() {
    let display;
    try {
      display = await navigator.mediaDevices.getDisplayMedia({ video: true });
    } catch (failure) {
      say(`Screen sharing unavailable: ${errorMessage(failure)}`);
      return;
    }
    const [track] = display.getVideoTracks();
    // The browser's own "Stop sharing" ends the track without our button.
    track.addEventListener('ended', () => {
      if (this.#screen === track) this.stopScreen();
    });
    this.#screen?.stop();
    this.#screen = track;
    this.#changed();
  }

  stopScreen() {
    this.#screen?.stop();
    this.#screen = undefined;
    this.#changed();
  }

  /** Releases camera, microphone and screen (their indicators go off). */
  stop() {
    for (const track of this.#stream.getTracks()) track.stop();
    this.#screen?.stop();
  }

  #changed() {
    this.dispatchEvent(new Event('change'));
  }
}
