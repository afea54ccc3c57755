// @ts-check
// The pre-join screen: your camera's preview (your initials while it is off), microphone and
// camera switches, the camera, microphone and speaker to use, a guest's display name
// (remembered), the passcode when the meeting has one, then Join. Every choice is remembered
// for the next call (lib/prefs.js), so a reload starts the way the user left it.
import { field, h, onSubmit, render, textOf } from '../lib/dom.js';
import { loadPrefs, savePrefs } from '../lib/prefs.js';
import { DISPLAY_NAME_MAX_LENGTH, PASSCODE_MAX_LENGTH } from '../lib/protocol.js';
import { session } from '../lib/session.js';
import { AudioLevels } from './audio-levels.js';
import { LocalMedia } from './local-media.js';
import { Tile } from './tile.js';

/** @typedef {import('../lib/api.js').Meeting} Meeting */
/** @typedef {{ name: string, passcode?: string, media: LocalMedia }} Ready */

/** Whether this browser can choose where sound plays. */
const CAN_CHOOSE_SPEAKER = 'setSinkId' in HTMLMediaElement.prototype;

/**
 * A labelled drop-down of devices of one kind. The label points at the list (for / id)
 * rather than wrapping it, so that its accessible name is the label alone ("Camera"), not
 * the label followed by the device selected.
 * @param {string} label
 * @param {string} name
 */
function deviceSelect(label, name) {
  const id = `prejoin-${name}`;
  const select = h('select', { name, id });
  return {
    select,
    element: h('div', { class: 'device' }, h('label', { for: id }, label), select),
  };
}

/**
 * @param {HTMLSelectElement} select
 * @param {MediaDeviceInfo[]} devices of one kind
 * @param {string | undefined} selected
 * @param {string} kind "Camera", "Microphone", "Speaker"
 */
function fillDevices(select, devices, selected, kind) {
  select.replaceChildren(
    ...devices.map((device, index) =>
      h(
        'option',
        { value: device.deviceId, selected: device.deviceId === selected },
        device.label || `${kind} ${index + 1}`,
      ),
    ),
  );
  if (devices.length === 0) select.append(h('option', { value: '' }, `No ${kind.toLowerCase()}`));
  select.disabled = devices.length === 0;
}

/**
 * Shows the pre-join screen until the user joins (or leaves the page: undefined, and the
 * devices are released).
 * @param {object} options
 * @param {string} options.code
 * @param {Meeting} options.meeting
 * @param {AbortSignal} options.signal
 * @returns {Promise<Ready | undefined>}
 */
export async function preJoin({ code, meeting, signal }) {
  const prefs = loadPrefs();
  const user = session.user;
  const name = user?.name ?? prefs.guestName ?? '';
  const heading = h('h1', { id: 'prejoin-title' }, meeting.title || code);
  const preview = new Tile({ name });
  preview.element.classList.add('preview');
  const problem = h('p', { class: 'error', role: 'alert' });
  const mic = h('button', { type: 'button' });
  const camera = h('button', { type: 'button' });
  const cameras = deviceSelect('Camera', 'camera');
  const microphones = deviceSelect('Microphone', 'microphone');
  const speakers = deviceSelect('Speaker', 'speaker');
  speakers.element.hidden = !CAN_CHOOSE_SPEAKER;
  const nameField = field('Your name', {
    name: 'name',
    maxlength: String(DISPLAY_NAME_MAX_LENGTH),
    required: true,
    autocomplete: 'name',
    value: name,
  });
  // The host joins without it; anyone else types the one they were given.
  const asksPasscode = meeting.passcodeRequired && meeting.passcode === undefined;
  const passcodeField = field('Meeting passcode', {
    name: 'passcode',
    type: 'password',
    maxlength: String(PASSCODE_MAX_LENGTH),
    required: true,
    autocomplete: 'off',
  });
  const joinButton = h('button', { type: 'submit', disabled: true }, 'Join meeting');
  const next = encodeURIComponent(`/meet/${code}`);
  const hostLine = meeting.hostName ? `Hosted by ${meeting.hostName}` : '';
  /** @type {(ready: Omit<Ready, 'media'> | undefined) => void} */
  let finish = () => undefined;
  /** @type {Promise<Omit<Ready, 'media'> | undefined>} */
  const done = new Promise((resolve) => (finish = resolve));
  signal.addEventListener('abort', () => finish(undefined), { once: true });

  render(
    h(
      'section',
      { id: 'prejoin', class: 'prejoin', 'aria-labelledby': 'prejoin-title' },
      h(
        'div',
        { class: 'prejoin-preview' },
        preview.element,
        h(
          'div',
          { class: 'controls', role: 'group', 'aria-label': 'Before you join' },
          mic,
          camera,
        ),
        problem,
      ),
      h(
        'form',
        {
          'aria-labelledby': 'prejoin-title',
          onsubmit: onSubmit((fields, form) => {
            form.inert = true;
            const typed = user ? user.name : textOf(fields, 'name').trim() || 'Guest';
            if (!user) savePrefs({ guestName: typed });
            finish({
              name: typed,
              passcode: asksPasscode ? textOf(fields, 'passcode') : undefined,
            });
          }),
        },
        heading,
        h('p', { class: 'hint' }, [code, hostLine].filter(Boolean).join(' · ')),
        h(
          'p',
          { class: 'meeting-live' },
          meeting.live ? 'The meeting has started.' : 'Nobody is in the meeting yet.',
        ),
        user
          ? h('p', {}, `Joining as ${user.name}.`)
          : [
              nameField,
              h(
                'p',
                { class: 'hint' },
                'Have an account? ',
                h('a', { href: `/login?next=${next}`, 'data-link': true }, 'Sign in'),
                ' to join with your name and keep this meeting in your history.',
              ),
            ],
        asksPasscode ? passcodeField : '',
        // In view without a click: the devices are what people check before joining.
        h(
          'fieldset',
          { class: 'devices' },
          h('legend', {}, 'Devices'),
          cameras.element,
          microphones.element,
          speakers.element,
        ),
        joinButton,
      ),
    ),
  );
  nameField.querySelector('input')?.addEventListener('input', (event) => {
    const typed = /** @type {HTMLInputElement} */ (event.target).value.trim();
    preview.setName(typed);
    // Remembered as typed: a reload (or the next meeting) does not ask again.
    if (typed) savePrefs({ guestName: typed });
  });

  const media = await LocalMedia.open();
  if (signal.aborted) {
    media.stop();
    return undefined;
  }
  const levels = new AudioLevels((speaking) => preview.showSpeaking(speaking.has('self')));
  const show = () => {
    const { state } = media;
    mic.textContent = state.audio ? 'Mute' : 'Unmute';
    mic.toggleAttribute('data-active', !state.audio);
    mic.disabled = !media.audioTrack;
    camera.textContent = state.video ? 'Stop camera' : 'Start camera';
    camera.toggleAttribute('data-active', !state.video);
    problem.textContent = media.problem ?? '';
    preview.showMedia(state);
    preview.showTrack(media.cameraTrack);
    if (media.audioTrack) levels.watch('self', new MediaStream([media.audioTrack]));
    else levels.unwatch('self');
  };
  const listDevices = async () => {
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    // What is captured now, else what was chosen before (the camera may be off).
    const captured = Object.entries(media.deviceIds).filter(([, id]) => id !== undefined);
    const chosen = { ...loadPrefs(), ...Object.fromEntries(captured) };
    /** @param {MediaDeviceKind} kind */
    const of = (kind) => devices.filter((device) => device.kind === kind && device.deviceId);
    fillDevices(cameras.select, of('videoinput'), chosen.cameraId, 'Camera');
    fillDevices(microphones.select, of('audioinput'), chosen.microphoneId, 'Microphone');
    fillDevices(speakers.select, of('audiooutput'), chosen.speakerId, 'Speaker');
  };
  media.addEventListener('change', show);
  mic.addEventListener('click', () => media.setAudio(!media.state.audio));
  camera.addEventListener('click', async () => {
    camera.disabled = true;
    await media.setVideo(!media.state.video);
    camera.disabled = false;
    void listDevices();
  });
  cameras.select.addEventListener(
    'change',
    () => void media.useDevice('camera', cameras.select.value),
  );
  microphones.select.addEventListener(
    'change',
    () => void media.useDevice('microphone', microphones.select.value),
  );
  speakers.select.addEventListener('change', () => savePrefs({ speakerId: speakers.select.value }));
  navigator.mediaDevices.addEventListener?.('devicechange', listDevices);
  show();
  await listDevices();
  joinButton.disabled = false;

  const ready = await done;
  media.removeEventListener('change', show);
  navigator.mediaDevices.removeEventListener?.('devicechange', listDevices);
  levels.stop();
  if (!ready || signal.aborted) {
    media.stop();
    return undefined;
  }
  return { ...ready, media };
}
