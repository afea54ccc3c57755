// @ts-check
// A call: local media, the call view and the signaling socket wired together, with one
// RemotePeer and one tile per other participant. The controls work from the moment the page
// shows: mute, camera, screen and hand apply at once and are announced to the room on every
// (re)join; chat sends once the page is in the room.
import { api } from '../lib/api.js';
import { say } from '../lib/dom.js';
import { navigate } from '../lib/router.js';
import { session } from '../lib/session.js';
import { CallView } from './call-view.js';
import { LocalMedia } from './local-media.js';
import { RemotePeer } from './remote-peer.js';
import { SignalingClient } from './signaling-client.js';

/** @typedef {import('../lib/protocol.js').SignalPayload} SignalPayload */
/** @typedef {import('../lib/protocol.js').JoinResult} JoinResult */
/** @typedef {import('./remote-peer.js').PeerSignal} PeerSignal */
/** @typedef {{ peer: RemotePeer, tile: import('./remote-tile.js').RemoteTile }} Participant */

/**
 * Opens camera and microphone, shows the call and joins the room, until `signal` aborts.
 * @param {string} code
 * @param {string} name display name (a signed-in user's is their account's)
 * @param {AbortSignal} signal
 */
export async function startCall(code, name, signal) {
  const media = await LocalMedia.open();
  if (signal.aborted) return media.stop();
  const call = new Call(code, name, media);
  signal.addEventListener('abort', () => call.leave(), { once: true });
  await call.connect(signal);
}

class Call {
  #code;
  #name;
  /** @type {string | undefined} a registered meeting's passcode, once typed */
  #passcode;
  #media;
  #view;
  #signaling;
  /** @type {Map<string, Participant>} by socket id */
  #participants = new Map();
  /** @type {RTCIceServer[]} */
  #iceServers = [];
  #handRaised = false;
  /** In the room: joined on the current connection. */
  #joined = false;

  /**
   * @param {string} code
   * @param {string} name
   * @param {LocalMedia} media
   */
  constructor(code, name, media) {
    this.#code = code;
    this.#name = name;
    this.#media = media;
    this.#signaling = new SignalingClient(session.token);
    this.#view = new CallView(code, name, {
      onMute: () => media.setAudio(!media.state.audio),
      onCamera: () => media.setVideo(!media.state.video),
      onScreen: () => (media.state.screen ? media.stopScreen() : void media.shareScreen()),
      onRaiseHand: () => this.#raiseHand(!this.#handRaised),
      onLeave: () => navigate('/'),
      onSend: (text) => this.#signaling.chat(text, name),
    });
    this.#view.showLocalMedia(media.state, media.videoTrack);
    media.addEventListener('change', () => this.#localMediaChanged());
    this.#listen();
  }

  /**
   * Fetches the ICE servers, then connects: Socket.IO reconnects by itself from then on.
   * @param {AbortSignal} signal
   */
  async connect(signal) {
    if (session.token) void api.addToHistory(this.#code).catch(() => undefined);
    try {
      this.#iceServers = (await api.iceServers()).iceServers;
    } catch {
      // No ICE servers: host candidates still connect on a local network.
    }
    if (!signal.aborted) this.#signaling.connect();
  }

  leave() {
    this.#signaling.leave();
    this.#removeEveryone();
    this.#media.stop();
  }

  #listen() {
    const signaling = this.#signaling;
    signaling.onConnect(() => void this.#join());
    signaling.onConnectError((error) => say(`Connection problem: ${error.message}`));
    signaling.onDisconnect((willReconnect) => {
      this.#joined = false;
      this.#view.showJoined(undefined);
      if (willReconnect) say('Disconnected, reconnecting…');
    });
    signaling.on('user-joined', (joinerId, clients, usernames) => {
      for (const id of clients) {
        if (id !== signaling.id)
          this.#ensureParticipant(id, usernames[id] ?? 'Participant', joinerId === signaling.id);
      }
    });
    signaling.on('user-left', (id) => this.#remove(id));
    signaling.on('signal', (from, message) => this.#receiveSignal(from, message));
    signaling.on('media-state', (id, state) => this.#participants.get(id)?.tile.showMedia(state));
    signaling.on('raise-hand', (id, raised) => this.#participants.get(id)?.tile.showHand(raised));
    signaling.on('chat-message', (text, sender, senderId) => {
      const mine = sender === this.#name && senderId === signaling.id;
      this.#view.showMessage(mine ? 'You' : sender, text);
    });
    signaling.on('signaling-error', (event, error) => say(`${event}: ${error.message}`));
    signaling.on('session-ended', (reason) => {
      say(`Session ended (${reason}). Sign in again.`);
      session.clear();
    });
    // A host asks: mute (the change is reported to the room like any other).
    signaling.on('mute-request', () => {
      if (this.#media.state.audio) this.#media.setAudio(false);
      say('The host asked you to mute.');
    });
    signaling.on('role-changed', (id, role) => {
      if (id === signaling.id)
        say(role === 'cohost' ? 'You are now a co-host.' : 'You are no longer a co-host.');
    });
    signaling.on('meeting-updated', (state) =>
      say(state.locked ? 'The meeting is locked: nobody new can join.' : 'The meeting is open.'),
    );
    signaling.on('admitted', (result) => this.#entered(result));
    signaling.on('denied', () => this.#outOfCall('The host did not let you in.'));
    signaling.on('lobby-updated', (waiting) => {
      if (waiting.length) say(`Waiting to be let in: ${waiting.map((w) => w.name).join(', ')}.`);
    });
    signaling.on('removed', () => this.#outOfCall('The host removed you from the meeting.'));
    signaling.on('meeting-ended', () => this.#outOfCall('The host ended the meeting.'));
  }

  /** Out of the call by the host's decision: no peers, no rejoin on reconnection. */
  #outOfCall(/** @type {string} */ why) {
    this.#removeEveryone();
    this.#joined = false;
    this.#view.showJoined(undefined);
    this.#signaling.leave();
    say(why);
  }

  /**
   * Runs on every connection: after a network blip the socket has a new id, so the old peer
   * connections are dropped and everyone is negotiated with again.
   */
  async #join() {
    this.#removeEveryone();
    let answer;
    try {
      answer = await this.#signaling.join(this.#code, this.#name, this.#passcode);
      // A registered meeting with a passcode: ask for it (again, when it was wrong).
      while (
        !answer.ok &&
        (answer.error.code === 'passcode-required' || answer.error.code === 'wrong-passcode')
      ) {
        const typed = window.prompt(
          answer.error.code === 'wrong-passcode'
            ? 'Wrong passcode. Meeting passcode:'
            : 'This meeting needs a passcode:',
        );
        if (typed === null) break;
        this.#passcode = typed;
        answer = await this.#signaling.join(this.#code, this.#name, this.#passcode);
      }
    } catch {
      return; // disconnected before the answer: the next connection joins again
    }
    if (!answer.ok) {
      say(`Could not join: ${answer.error.message}`);
      return;
    }
    if ('waiting' in answer) {
      say('Waiting for the host to let you in…');
      return; // `admitted` brings the join answer
    }
    this.#entered(answer);
  }

  /**
   * In the call: a join answer, or the one `admitted` brings from the waiting room.
   * @param {JoinResult} answer
   */
  #entered(answer) {
    if (answer.lobby?.length) say(`${answer.lobby.length} waiting to be let in.`);
    // The meeting asks joiners to start muted.
    if (answer.muteOnEntry && this.#media.state.audio) this.#media.setAudio(false);
    if (answer.iceServers.length) this.#iceServers = answer.iceServers;
    for (const { socketId, name, media, handRaised } of answer.participants) {
      if (socketId === this.#signaling.id) continue;
      const { tile } = this.#ensureParticipant(socketId, name, true);
      tile.showMedia(media);
      tile.showHand(handRaised);
    }
    this.#joined = true;
    this.#view.showJoined(this.#signaling.id);
    say(`In ${this.#code} with ${answer.participants.length - 1} other(s).`);
    // The room starts everyone with all media off and no hand raised: tell it how we are,
    // including what was switched before we got in.
    this.#signaling.mediaState(this.#media.state);
    if (this.#handRaised) this.#signaling.raiseHand(true);
  }

  /**
   * The participant with this socket id, created (tile and peer connection) if new.
   * @param {string} id
   * @param {string} name
   * @param {boolean} initiator whether we make the first offer (we are the newcomer)
   */
  #ensureParticipant(id, name, initiator) {
    const known = this.#participants.get(id);
    if (known) {
      known.tile.setName(name);
      return known;
    }
    const tile = this.#view.addTile(id, name);
    const peer = new RemotePeer({
      initiator,
      // Both sides compare the same two ids, so exactly one of them is polite.
      polite: (this.#signaling.id ?? '') < id,
      iceServers: this.#iceServers,
      tracks: this.#media.tracks,
      stream: this.#media.stream,
      send: (signal) => this.#signaling.signal(id, signal),
      onStream: (stream) => tile.showStream(stream),
      onConnectionState: (state) => tile.showConnection(state),
    });
    const participant = { peer, tile };
    this.#participants.set(id, participant);
    return participant;
  }

  /**
   * @param {string} from
   * @param {SignalPayload} message
   */
  #receiveSignal(from, message) {
    // Strings are the original client's JSON signals, which this client does not speak.
    if (typeof message !== 'object' || message === null) return;
    // Someone we have not heard join yet: their tile gets its name once `user-joined` comes.
    const participant =
      this.#participants.get(from) ?? this.#ensureParticipant(from, 'Participant', false);
    participant.peer.receive(/** @type {PeerSignal} */ (message));
  }

  /** @param {string} id */
  #remove(id) {
    const participant = this.#participants.get(id);
    if (!participant) return;
    participant.peer.close();
    participant.tile.remove();
    this.#participants.delete(id);
  }

  #removeEveryone() {
    for (const id of [...this.#participants.keys()]) this.#remove(id);
  }

  /** @param {boolean} raised */
  #raiseHand(raised) {
    this.#handRaised = raised;
    this.#view.showHand(raised);
    if (this.#joined) this.#signaling.raiseHand(raised);
  }

  #localMediaChanged() {
    const { state, videoTrack } = this.#media;
    this.#view.showLocalMedia(state, videoTrack);
    if (videoTrack) for (const { peer } of this.#participants.values()) peer.sendVideo(videoTrack);
    if (this.#joined) this.#signaling.mediaState(state);
  }
}
