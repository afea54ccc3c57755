// @ts-check
// This page's microphone, camera and shared screen: what every peer receives, the mute,
// camera and screen switches, and the device choices. The microphone stays captured while
// muted (its track disabled), as in other meeting apps; a camera turned off is released (its
// light goes off) and captured again when turned on. Choices are remembered (lib/prefs.js):
// a reload starts muted if the user was. Fires `change` whenever the state or a sent track
// changes.
import { loadPrefs, savePrefs } from '../lib/prefs.js';

/** @typedef {import('../lib/protocol.js').MediaState} MediaState */

/**
 * Words for a capture failure, for the pre-join screen.
 * @param {unknown} failure
 * @param {string} what "camera", "microphone" or "camera and microphone"
 */
function captureProblem(failure, what) {
  const name = failure instanceof Error ? failure.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return `The browser blocked the ${what}. Allow it in the address bar, then reload.`;
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return `No ${what} found. You can still join and see and hear the others.`;
  if (name === 'NotReadableError')
    return `The ${what} is in use by another app, or could not start.`;
  return `The ${what} could not start.`;
}

/**
 * @param {string | undefined} deviceId
 * @returns {boolean | MediaTrackConstraints}
 */
function constraint(deviceId) {
  return deviceId ? { deviceId: { ideal: deviceId } } : true;
}

export class LocalMedia extends EventTarget {
  /** Every track captured from devices, in the stream peers see them announced in. */
  #stream = new MediaStream();
  /** @type {MediaStreamTrack | undefined} */
  #microphone;
  /** @type {MediaStreamTrack | undefined} */
  #camera;
  /** @type {MediaStreamTrack | undefined} */
  #screen;
  #audio;
  #video;
  /** Released for good (left the call): nothing is captured any more. */
  #stopped = false;
  /** @type {string | undefined} why the microphone or camera is missing, in words */
  problem;

  /**
   * Captures what the remembered choices turn on: the microphone always (muted if it was),
   * the camera only when it was on. Without devices (refused, absent) the call still receives.
   */
  static async open() {
    const prefs = loadPrefs();
    const media = new LocalMedia(prefs.audio, prefs.video);
    await media.#capture(true, prefs.video);
    return media;
  }

  /**
   * @param {boolean} audio
   * @param {boolean} video
   */
  constructor(audio, video) {
    super();
    this.#audio = audio;
    this.#video = video;
  }

  get stream() {
    return this.#stream;
  }

  /** @returns {MediaState} what the others are told */
  get state() {
    return {
      audio: this.#audio && this.#microphone !== undefined,
      video: this.#video && this.#camera !== undefined,
      screen: this.#screen !== undefined,
    };
  }

  /** The microphone, whether muted or not (undefined: none). */
  get audioTrack() {
    return this.#microphone;
  }

  /** The video peers receive: the shared screen while sharing, else the camera if on. */
  get videoTrack() {
    return this.#screen ?? this.#camera;
  }

  /** The camera alone (the page's own preview). */
  get cameraTrack() {
    return this.#camera;
  }

  /** What a new peer connection sends. */
  get tracks() {
    const video = this.videoTrack;
    return [...(this.#microphone ? [this.#microphone] : []), ...(video ? [video] : [])];
  }

  /** The chosen (or default) devices, once captured. */
  get deviceIds() {
    return {
      microphoneId: this.#microphone?.getSettings().deviceId,
      cameraId: this.#camera?.getSettings().deviceId,
    };
  }

  /**
   * @param {boolean} on
   * @param {boolean} [remember] false: for this call only (a meeting that mutes joiners)
   */
  setAudio(on, remember = true) {
    this.#audio = on;
    if (this.#microphone) this.#microphone.enabled = on;
    if (remember) savePrefs({ audio: on });
    this.#changed();
  }

  /**
   * Turns the camera on (captured again) or off (released).
   * @param {boolean} on
   */
  async setVideo(on) {
    this.#video = on;
    savePrefs({ video: on });
    if (!on) {
      this.#dropCamera();
      this.#changed();
      return;
    }
    if (!this.#camera) await this.#capture(false, true);
    this.#changed();
  }

  /**
   * Uses another microphone or camera from now on (remembered for the next calls).
   * @param {'microphone' | 'camera'} kind
   * @param {string} deviceId
   */
  async useDevice(kind, deviceId) {
    savePrefs(kind === 'microphone' ? { microphoneId: deviceId } : { cameraId: deviceId });
    if (kind === 'microphone') {
      this.#dropMicrophone();
      await this.#capture(true, false);
    } else if (this.#video) {
      this.#dropCamera();
      await this.#capture(false, true);
    }
    this.#changed();
  }

  /**
   * Asks the browser for a screen to share.
   * @returns {Promise<string | undefined>} why there is none, in words (undefined: sharing)
   */
  async shareScreen() {
    let display;
    try {
      display = await navigator.mediaDevices.getDisplayMedia({ video: true });
    } catch (failure) {
      const name = failure instanceof Error ? failure.name : '';
      return name === 'NotAllowedError'
        ? 'Screen sharing was cancelled or blocked.'
        : 'Screen sharing is not available in this browser.';
    }
    const [track] = display.getVideoTracks();
    // Anything else the browser captured with it (say, tab audio) is not sent: stopped.
    for (const other of display.getTracks()) if (other !== track) other.stop();
    if (this.#stopped || !track) {
      track?.stop();
      return undefined;
    }
    // The browser's own "Stop sharing" ends the track without our button.
    track.addEventListener('ended', () => {
      if (this.#screen === track) this.stopScreen();
    });
    this.#screen?.stop();
    this.#screen = track;
    this.#changed();
    return undefined;
  }

  /** Stops sharing: the capture ends (the browser's sharing indicator goes off). */
  stopScreen() {
    this.#screen?.stop();
    this.#screen = undefined;
    this.#changed();
  }

  /** Releases microphone, camera and screen for good (their indicators go off). */
  stop() {
    this.#stopped = true;
    this.#dropMicrophone();
    this.#dropCamera();
    this.#screen?.stop();
    this.#screen = undefined;
    for (const track of this.#stream.getTracks()) track.stop();
  }

  /**
   * Captures the microphone and/or the camera on the remembered devices (any device when the
   * remembered one is gone); says in `problem` what could not be captured.
   * @param {boolean} audio
   * @param {boolean} video
   */
  async #capture(audio, video) {
    if (!audio && !video) return;
    const prefs = loadPrefs();
    /** @type {MediaStream | undefined} */
    let captured;
    try {
      captured = await navigator.mediaDevices.getUserMedia({
        audio: audio && constraint(prefs.microphoneId),
        video: video && constraint(prefs.cameraId),
      });
      this.problem = undefined;
    } catch (failure) {
      if (audio && video) {
        // One of the two may still work on its own.
        const what = 'camera and microphone';
        await this.#capture(true, false);
        const micProblem = this.problem;
        await this.#capture(false, true);
        const cameraProblem = this.problem;
        this.problem =
          micProblem && cameraProblem
            ? captureProblem(failure, what)
            : (micProblem ?? cameraProblem);
        return;
      }
      this.problem = captureProblem(failure, audio ? 'microphone' : 'camera');
      return;
    }
    if (this.#stopped) {
      for (const track of captured.getTracks()) track.stop();
      return;
    }
    const [microphone] = captured.getAudioTracks();
    const [camera] = captured.getVideoTracks();
    if (microphone) {
      this.#dropMicrophone();
      microphone.enabled = this.#audio;
      this.#microphone = microphone;
      this.#stream.addTrack(microphone);
    }
    if (camera) {
      this.#dropCamera();
      this.#camera = camera;
      this.#stream.addTrack(camera);
      camera.addEventListener('ended', () => {
        // Unplugged or taken away by the system: off, as the user would see it.
        if (this.#camera !== camera) return;
        this.#dropCamera();
        this.#changed();
      });
    }
  }

  #dropMicrophone() {
    if (!this.#microphone) return;
    this.#microphone.stop();
    this.#stream.removeTrack(this.#microphone);
    this.#microphone = undefined;
  }

  #dropCamera() {
    if (!this.#camera) return;
    this.#camera.stop();
    this.#stream.removeTrack(this.#camera);
    this.#camera = undefined;
  }

  #changed() {
    this.dispatchEvent(new Event('change'));
  }
}
