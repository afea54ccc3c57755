// @ts-check
// Who is speaking: the audio level of each participant's stream (your microphone included),
// measured a few times a second with the Web Audio API. A participant counts as speaking
// while their level stays above a threshold, and for a moment after (no flicker between
// words). The loudest of those speaking is the active speaker.

/** How often levels are read. */
const INTERVAL_MS = 150;
/** RMS level (0-1) above which someone is speaking. */
const THRESHOLD = 0.02;
/** How long someone still counts as speaking after their level dropped. */
const HOLD_MS = 600;

/**
 * @typedef {object} Meter
 * @property {MediaStreamAudioSourceNode} source
 * @property {AnalyserNode} analyser
 * @property {MediaStreamTrack} track
 * @property {number} lastLoud when the level was last above the threshold (ms)
 * @property {number} level the last level read
 */

export class AudioLevels {
  /** @type {AudioContext | undefined} made on first use (browsers want a user gesture first) */
  #context;
  /** @type {Map<string, Meter>} by participant id */
  #meters = new Map();
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #timer;
  /** @type {Set<string>} */
  #speaking = new Set();
  #onChange;

  /**
   * @param {(speaking: Set<string>, loudest: string | undefined) => void} onChange called when
   *   who speaks changes, with the loudest speaker
   */
  constructor(onChange) {
    this.#onChange = onChange;
  }

  /**
   * Measures this participant's audio (its first audio track); again when it changed.
   * @param {string} id
   * @param {MediaStream} stream
   */
  watch(id, stream) {
    const [track] = stream.getAudioTracks();
    const known = this.#meters.get(id);
    if (known && known.track === track) return;
    this.unwatch(id);
    if (!track || typeof AudioContext === 'undefined') return;
    try {
      this.#context ??= new AudioContext();
      if (this.#context.state === 'suspended') void this.#context.resume().catch(() => undefined);
      const source = this.#context.createMediaStreamSource(new MediaStream([track]));
      const analyser = this.#context.createAnalyser();
      analyser.fftSize = 512;
      source.connect(analyser);
      this.#meters.set(id, { source, analyser, track, lastLoud: 0, level: 0 });
    } catch {
      return; // no level for this one: never shown as speaking
    }
    this.#timer ??= setInterval(() => this.#measure(), INTERVAL_MS);
  }

  /** @param {string} id */
  unwatch(id) {
    const meter = this.#meters.get(id);
    if (!meter) return;
    meter.source.disconnect();
    this.#meters.delete(id);
    if (this.#speaking.delete(id)) this.#report();
  }

  /** Stops measuring everyone and releases the audio context. */
  stop() {
    for (const id of [...this.#meters.keys()]) this.unwatch(id);
    clearInterval(this.#timer);
    this.#timer = undefined;
    void this.#context?.close().catch(() => undefined);
    this.#context = undefined;
  }

  #measure() {
    const now = performance.now();
    let changed = false;
    for (const [id, meter] of this.#meters) {
      const samples = new Float32Array(meter.analyser.fftSize);
      meter.analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      // A muted (disabled) track gives silence: never speaking.
      meter.level = meter.track.enabled ? Math.sqrt(sum / samples.length) : 0;
      if (meter.level > THRESHOLD) meter.lastLoud = now;
      const speaking = now - meter.lastLoud < HOLD_MS;
      if (speaking !== this.#speaking.has(id)) {
        if (speaking) this.#speaking.add(id);
        else this.#speaking.delete(id);
        changed = true;
      }
    }
    if (changed) this.#report();
  }

  #report() {
    let loudest;
    let loudestLevel = -1;
    for (const id of this.#speaking) {
      const level = this.#meters.get(id)?.level ?? 0;
      if (level > loudestLevel) [loudest, loudestLevel] = [id, level];
    }
    this.#onChange(new Set(this.#speaking), loudest);
  }
}
