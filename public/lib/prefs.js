// @ts-check
// What the user chose before and during calls, kept in localStorage across reloads: whether
// the microphone and camera start on (a reload never unmutes), the devices, the speaker, and
// a guest's display name. Anything unreadable counts as not chosen.

/**
 * @typedef {object} Prefs
 * @property {boolean} audio the microphone starts on
 * @property {boolean} video the camera starts on
 * @property {string} [microphoneId] deviceId of the chosen microphone
 * @property {string} [cameraId] deviceId of the chosen camera
 * @property {string} [speakerId] deviceId of the chosen speaker (audio output)
 * @property {string} [guestName] the name a guest last joined with
 */

const KEY = 'meet.prefs';

/** @type {Prefs} */
const DEFAULTS = { audio: true, video: true };

/** @returns {Prefs} */
export function loadPrefs() {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    if (typeof stored !== 'object' || stored === null) return { ...DEFAULTS };
    /** @type {Prefs} */
    const prefs = { ...DEFAULTS };
    if (typeof stored.audio === 'boolean') prefs.audio = stored.audio;
    if (typeof stored.video === 'boolean') prefs.video = stored.video;
    for (const key of /** @type {const} */ (['microphoneId', 'cameraId', 'speakerId', 'guestName']))
      if (typeof stored[key] === 'string' && stored[key]) prefs[key] = stored[key];
    return prefs;
  } catch {
    return { ...DEFAULTS };
  }
}

/**
 * Remembers these choices on top of the others.
 * @param {Partial<Prefs>} changes
 */
export function savePrefs(changes) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ ...loadPrefs(), ...changes }));
  } catch {
    // Storage full or disabled: the choice holds for this page only.
  }
}
