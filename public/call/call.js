// @ts-check
// A call: local media (opened on the pre-join screen), the call view and the signaling socket
// wired together, with one RemotePeer and one tile per other participant. The controls work
// from the moment the page shows: mute, camera, screen and hand apply at once and are
// announced to the room on every (re)join; chat sends once the page is in the room. A
// registered meeting may ask for its passcode again or keep the page in its waiting room;
// hosts and co-hosts get the participants' and waiting room's controls. Leaving (confirmed),
// being removed, the meeting ending, being turned away or signed out ends the page's call for
// good (every capture stopped), with a screen that says why and, where it makes sense, Rejoin.
import { api } from '../lib/api.js';
import { say } from '../lib/dom.js';
import { loadPrefs } from '../lib/prefs.js';
import { describeError } from '../lib/protocol.js';
import { guardLeaving } from '../lib/router.js';
import { session } from '../lib/session.js';
import { renderNav } from '../views/nav.js';
import { AudioLevels } from './audio-levels.js';
import { CallView } from './call-view.js';
import { RemotePeer } from './remote-peer.js';
import { SignalingClient } from './signaling-client.js';

/** @typedef {import('../lib/protocol.js').SignalPayload} SignalPayload */
/** @typedef {import('../lib/protocol.js').JoinResult} JoinResult */
/** @typedef {import('./remote-peer.js').PeerSignal} PeerSignal */
/** @typedef {import('../lib/protocol.js').LobbyEntry} LobbyEntry */
/** @typedef {import('../lib/protocol.js').MeetingState} MeetingState */
/** @typedef {import('../lib/protocol.js').ActionAnswer} ActionAnswer */
/** @typedef {import('../lib/protocol.js').SignalingErrorCode} SignalingErrorCode */
/** @typedef {import('./participants-panel.js').Person} Person */
/** @typedef {{ peer: RemotePeer, tile: import('./tile.js').Tile }} Participant */
/** @typedef {import('./local-media.js').LocalMedia} LocalMedia */
/** @typedef {import('../lib/api.js').Meeting} Meeting */

/** The codes for which the passcode form is shown (again). */
const PASSCODE_PROBLEMS = new Map(
  /** @type {[SignalingErrorCode, string][]} */ ([
    ['passcode-required', 'Enter the meeting passcode you were given.'],
    ['wrong-passcode', 'Wrong passcode. Check it and try again.'],
    ['rate-limited', 'Too many wrong passcodes. Wait a few minutes, then try again.'],
  ]),
);

/** How many shown chat messages are remembered (the server replays fewer). */
const CHAT_KEPT = 1000;

/** Back online, how long a connection that still looks open has to prove it works. */
const ONLINE_CHECK_MS = 3_000;

/**
 * A chat message as the page compares them (the protocol gives messages no id).
 * @param {string} text
 * @param {string} sender
 * @param {string} senderId
 */
function chatKey(text, sender, senderId) {
  return JSON.stringify([senderId, sender, text]);
}

/**
 * @typedef {object} CallOptions
 * @property {string} code
 * @property {Meeting} meeting the meeting's registration, as the pre-join screen read it
 * @property {string} name display name (a signed-in user's is their account's)
 * @property {string} [passcode] as typed on the pre-join screen
 * @property {LocalMedia} media microphone and camera, as chosen on the pre-join screen
 * @property {AbortSignal} signal aborted when the user leaves the page
 * @property {(passcode: string | undefined) => void} onRejoin the "You left" screen's Rejoin,
 *   with the passcode the call last used
 */

/**
 * Shows the call and joins the room, until the page is left or the call ends.
 * @param {CallOptions} options
 */
export async function startCall(options) {
  const { media, signal } = options;
  if (signal.aborted) return media.stop();
  const call = new Call(options);
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
  /** Out of the call for good (left, removed, ended, denied): nothing more happens. */
  #left = false;
  /** Joined at least once (later joins are reconnections). */
  #everJoined = false;
  /** Counts joins: a join that a newer one (a reconnection) replaced gives up. */
  #attempt = 0;
  /** @type {Map<string, Person>} everyone in the room, this page included, by socket id */
  #people = new Map();
  /** @type {LobbyEntry[]} the waiting room, as hosts and co-hosts are told */
  #lobby = [];
  /** @type {MeetingState} */
  #meetingState = { locked: false, muteOnEntry: false, waitingRoom: 'off' };
  /** This page asked the server to end the meeting: its own `meeting-ended` is expected. */
  #ending = false;
  /**
   * The chat messages shown, as keys (see chatKey), oldest first, at most CHAT_KEPT.
   * @type {string[]}
   */
  #shownChat = [];
  /**
   * During a join after a real reconnection: the messages already shown, counted by key. The
   * history the server replays before its answer repeats them; those are skipped.
   * @type {Map<string, number> | undefined}
   */
  #replayed;

  /** Who speaks (levels of every participant's audio, yours as 'self'). */
  #levels;
  /** Stops asking before the page is left (the call is over). */
  #unguard;
  #onRejoin;
  /** How many raised hands so far: orders them in the participants list. */
  #hands = 0;
  /** The browser said it went offline, and has not said it is back. */
  #offline = false;
  /** Removes the listeners the call put on the window, when it is over. */
  #windowListeners = new AbortController();

  /** @param {CallOptions} options */
  constructor({ code, meeting, name, passcode, media, onRejoin }) {
    this.#code = code;
    this.#name = name;
    this.#passcode = passcode;
    this.#media = media;
    this.#onRejoin = onRejoin;
    this.#signaling = new SignalingClient(session.token);
    const signaling = this.#signaling;
    this.#view = new CallView(code, name, {
      onMute: () => media.setAudio(!media.state.audio),
      onCamera: () => void this.#switchCamera(),
      onScreen: () => void this.#switchScreen(),
      onRaiseHand: () => this.#raiseHand(!this.#handRaised),
      onLeave: () =>
        this.#outOfCall({
          id: 'left',
          title: 'You left the meeting',
          detail: 'Your camera and microphone are off.',
          actions: [{ label: 'Rejoin', onclick: () => this.#rejoin() }],
        }),
      onSend: (text) => signaling.chat(text, name),
      onEndForAll: () => this.#endForAll(),
      onMuteParticipant: (id) =>
        this.#act(`mute ${this.#nameOf(id)}`, () => signaling.muteParticipant(id)),
      onMuteAll: () => this.#act('mute everyone', () => signaling.muteAll()),
      onRemove: (id, ban) =>
        this.#act(`remove ${this.#nameOf(id)}`, () => signaling.removeParticipant(id, ban)),
      onSetRole: (id, role) =>
        this.#act(`change the role of ${this.#nameOf(id)}`, () => signaling.setRole(id, role)),
      onUpdateMeeting: (changes) =>
        this.#act('change the meeting settings', () => signaling.updateMeeting(changes)),
      onAdmit: (id) => this.#act('let them in', () => signaling.admit(id)),
      onDeny: (id) => this.#act('turn them away', () => signaling.deny(id)),
      onAdmitAll: () => this.#act('let everyone in', () => signaling.admitAll()),
    });
    this.#view.showMeeting(meeting);
    this.#showMeetingState({
      ...this.#meetingState,
      muteOnEntry: meeting.muteOnEntry,
      waitingRoom: meeting.waitingRoom,
    });
    this.#levels = new AudioLevels((speaking) => this.#view.showSpeaking(speaking));
    this.#view.showLocalMedia(media.state, media.videoTrack);
    this.#view.showHand(false);
    this.#watchOwnAudio();
    media.addEventListener('change', () => this.#localMediaChanged());
    // Links, the back button and signing out ask first; the page's end (abort) leaves.
    this.#unguard = guardLeaving(async () => {
      const leaving = await this.#view.askToLeave();
      if (leaving) this.leave();
      return leaving;
    });
    this.#listen();
    this.#watchPage();
  }

  /**
   * Fetches the ICE servers, then connects: Socket.IO reconnects by itself from then on.
   * @param {AbortSignal} signal
   */
  async connect(signal) {
    try {
      this.#iceServers = (await api.iceServers()).iceServers;
    } catch {
      // No ICE servers: host candidates still connect on a local network.
    }
    if (!signal.aborted && !this.#left) this.#signaling.connect();
  }

  /** Out of the call for good: the room left, peers closed, every capture stopped. */
  leave() {
    if (this.#left) return;
    this.#left = true;
    this.#joined = false;
    this.#unguard();
    this.#windowListeners.abort();
    this.#signaling.leave();
    this.#removeEveryone();
    this.#levels.stop();
    this.#media.stop();
    this.#view.dispose();
  }

  /**
   * The page itself: closed or reloaded, it leaves the call at once (else the others would
   * see it "reconnecting" for the server's grace window, then leave); the browser offline,
   * the banner shows at once, and back online the connection is checked (#backOnline) rather
   * than left to Socket.IO, which notices a dead connection only at its ping timeout, some
   * 45 s later.
   */
  #watchPage() {
    const { signal } = this.#windowListeners;
    // `pagehide`, not `unload` or `beforeunload`: it fires on every way a page goes (mobile
    // browsers included) and leaves the back/forward cache usable. A page restored from that
    // cache shows "You left the meeting" with Rejoin.
    window.addEventListener('pagehide', () => this.#pageGone(), { signal });
    window.addEventListener(
      'offline',
      () => {
        if (this.#left || !this.#everJoined) return;
        this.#offline = true;
        this.#view.showReconnecting(true);
      },
      { signal },
    );
    window.addEventListener('online', () => void this.#backOnline(), { signal });
  }

  /**
   * The browser is online again. A connection that closed meanwhile is coming back by itself
   * (Socket.IO); one that still looks open is asked for an answer: a connection that survived
   * the blip (same TCP connection) goes on untouched, a dead one is closed so that the same
   * Socket.IO Manager reconnects at once, which the server resumes (same socket id, room and
   * peers) within its grace window. Not closed while offline: closing it then could not
   * reach the server, and a connection that would have survived would be lost.
   */
  async #backOnline() {
    if (!this.#offline || this.#left) return;
    this.#offline = false;
    if (!this.#signaling.connected) return; // reconnecting: the banner goes on `connect`
    const alive = await this.#signaling.confirmConnection(this.#media.state, ONLINE_CHECK_MS);
    if (this.#left || this.#offline) return;
    if (alive) this.#view.showReconnecting(false);
    else this.#signaling.dropConnection();
  }

  #pageGone() {
    if (this.#left) return;
    this.#outOfCall({
      id: 'left',
      title: 'You left the meeting',
      detail: 'The page was closed or reloaded.',
      actions: [{ label: 'Rejoin', onclick: () => this.#rejoin() }],
    });
  }

  #listen() {
    const signaling = this.#signaling;
    signaling.onConnect(() => {
      this.#offline = false;
      this.#view.showReconnecting(false);
      void this.#join();
    });
    signaling.onConnectError((error) => {
      if (this.#left) return;
      // Socket.IO retries network failures by itself; a refusal by the server is final.
      if (signaling.active) {
        this.#view.showReconnecting(this.#attempt > 0);
        return;
      }
      // The token refused (expired, signed out): signed out. Anything else (the server could
      // not check it just now, guests not allowed) keeps the session.
      if (session.token && /expired|signed out|invalid|token/i.test(error.message))
        this.#signedOut('expired');
      else
        this.#outOfCall({
          id: 'join-failed',
          title: 'Could not join the meeting',
          detail: /sign-in required/i.test(error.message)
            ? 'This server is for signed-in users only. Sign in to join.'
            : 'The server is briefly unavailable. Try again in a moment.',
          actions: [{ label: 'Try again', onclick: () => this.#rejoin() }],
        });
    });
    signaling.onDisconnect((willReconnect) => {
      this.#joined = false;
      // A join cut short: its replay skipping must not outlive it.
      this.#replayed = undefined;
      this.#view.showJoined(undefined);
      if (this.#left) return;
      // The peer connections stay: media flows peer to peer and usually survives a blip.
      this.#view.showReconnecting(willReconnect);
      // Disconnected by the server for good, with no reason given (a reason ends the call
      // by its own event first).
      if (!willReconnect)
        this.#outOfCall({
          id: 'disconnected',
          title: 'You were disconnected from the meeting',
          detail: 'The server closed the connection.',
          actions: [{ label: 'Rejoin', onclick: () => this.#rejoin() }],
        });
    });
    signaling.on('participant-reconnecting', (id) => {
      this.#participants.get(id)?.tile.showReconnecting(true);
    });
    signaling.on('participant-reconnected', (id) => {
      this.#participants.get(id)?.tile.showReconnecting(false);
    });
    signaling.on('user-joined', (joinerId, clients, usernames) => {
      for (const id of clients) {
        const name = usernames[id] ?? 'Participant';
        // No roles here: a newcomer counts as a participant until `participant-joined` (in a
        // registered meeting, right after) or `role-changed` says otherwise.
        const known = this.#people.get(id);
        this.#people.set(
          id,
          known ? { ...known, name } : { socketId: id, name, role: 'participant' },
        );
        if (id !== signaling.id) this.#ensureParticipant(id, name, joinerId === signaling.id);
      }
      this.#showPeople();
      if (joinerId !== signaling.id && this.#joined)
        say(`${usernames[joinerId] ?? 'Someone'} joined`, { id: `joined:${joinerId}` });
    });
    signaling.on('participant-joined', ({ socketId, name, role, guest }) => {
      this.#people.set(socketId, { socketId, name, role, guest });
      this.#showPeople();
    });
    signaling.on('user-left', (id) => {
      const name = this.#people.get(id)?.name;
      this.#remove(id);
      this.#people.delete(id);
      this.#showPeople();
      if (name && this.#joined) say(`${name} left`, { id: `left:${id}` });
    });
    signaling.on('signal', (from, message) => this.#receiveSignal(from, message));
    signaling.on('media-state', (id, state) => {
      this.#view.showMedia(id, state);
      const person = this.#people.get(id);
      if (person) this.#people.set(id, { ...person, media: state });
      this.#showPeople();
    });
    signaling.on('raise-hand', (id, raised) => {
      this.#participants.get(id)?.tile.showHand(raised);
      this.#setHand(id, raised);
      const name = this.#people.get(id)?.name;
      if (raised && name) say(`${name} raised their hand`, { id: `hand:${id}` });
    });
    signaling.on('chat-message', (text, sender, senderId, sentAt) => {
      const key = chatKey(text, sender, senderId);
      const repeats = this.#replayed?.get(key) ?? 0;
      if (repeats > 0) {
        this.#replayed?.set(key, repeats - 1);
        return;
      }
      this.#shownChat.push(key);
      if (this.#shownChat.length > CHAT_KEPT) this.#shownChat.shift();
      const mine = sender === this.#name && senderId === signaling.id;
      // The server's time; a server too old to send one: when it arrived.
      const at = new Date(typeof sentAt === 'number' ? sentAt : Date.now());
      this.#view.showMessage(mine ? 'You' : sender, text, at, mine);
      // Live messages from others while the chat is closed: a notification too.
      if (!mine && this.#joined && this.#replayed === undefined && !this.#view.chatShown) {
        const preview = text.length > 80 ? `${text.slice(0, 79)}…` : text;
        // One notification for the chat: the latest message replaces the one before.
        say(`${sender}: ${preview}`, { id: 'chat' });
      }
    });
    signaling.on('signaling-error', (_event, error) =>
      say(describeError(error), { kind: 'error' }),
    );
    signaling.on('session-ended', (reason) =>
      this.#signedOut(reason === 'signed-out' ? 'signed-out' : 'expired'),
    );
    // A host asks: mute (the change is reported to the room like any other).
    signaling.on('mute-request', () => {
      if (this.#media.state.audio) this.#media.setAudio(false);
      say('A host muted you. Unmute when you want to speak.');
    });
    signaling.on('role-changed', (id, role) => {
      const person = this.#people.get(id);
      if (person) this.#people.set(id, { ...person, role });
      this.#showPeople();
      if (id === signaling.id) {
        say(
          role === 'cohost'
            ? 'You are now a co-host: you can mute, remove and let people in.'
            : 'You are no longer a co-host.',
        );
        // A new co-host learns who waits from the next change of the waiting room.
        if (role === 'participant') this.#lobby = [];
        this.#showLobby();
      }
    });
    signaling.on('meeting-updated', (state) => {
      const was = this.#meetingState;
      this.#showMeetingState(state);
      if (state.locked !== was.locked)
        say(state.locked ? 'The meeting is locked: nobody new can join.' : 'The meeting is open.');
      else if (state.waitingRoom !== was.waitingRoom)
        say(
          state.waitingRoom === 'off'
            ? 'The waiting room is off.'
            : `The waiting room is on for ${state.waitingRoom === 'guests' ? 'guests' : 'everyone'}.`,
        );
    });
    signaling.on('admitted', (result) => this.#entered(result));
    signaling.on('denied', () =>
      this.#outOfCall({
        id: 'denied',
        title: 'The host did not let you in',
        detail: 'A host turned your request to join away.',
      }),
    );
    signaling.on('lobby-updated', (waiting) => {
      const before = new Set(this.#lobby.map((entry) => entry.socketId));
      const arrived = waiting.filter((entry) => !before.has(entry.socketId));
      this.#lobby = waiting;
      this.#showLobby();
      if (arrived.length)
        say(`Waiting to be let in: ${arrived.map((entry) => entry.name).join(', ')}.`);
    });
    signaling.on('removed', ({ banned }) =>
      this.#outOfCall(
        banned
          ? {
              id: 'removed',
              banned: true,
              title: 'You were removed from the meeting and cannot rejoin',
              detail: 'A host removed you and stopped you from joining this meeting again.',
            }
          : {
              id: 'removed',
              title: 'You were removed from the meeting',
              detail: 'A host took you out of the call.',
              rejoin: 'Join again',
            },
      ),
    );
    signaling.on('meeting-ended', () =>
      this.#outOfCall(
        this.#ending
          ? { id: 'ended', title: 'You ended the meeting for everyone' }
          : { id: 'ended', title: 'The host ended the meeting', detail: 'The call is over.' },
      ),
    );
  }

  /**
   * Out of the call for good (a host's decision, or a join refused): no peers, no rejoin on
   * reconnection, camera and microphone released, and a screen instead of the call.
   * @param {import('./call-view.js').EndScreen} screen
   */
  #outOfCall(screen) {
    if (this.#left) return;
    this.leave();
    this.#view.showEnd(screen);
  }

  /**
   * The session this page was signed in with ended (signed out elsewhere, or expired): the
   * call ends with a screen that offers to sign in again and come back here.
   * @param {'signed-out' | 'expired'} why
   */
  #signedOut(why) {
    session.clear();
    renderNav();
    this.#outOfCall({
      id: 'signed-out',
      title: why === 'signed-out' ? 'You were signed out' : 'Your session expired',
      detail:
        why === 'signed-out'
          ? 'You signed out in another tab or on another device, so this call ended.'
          : 'Sign in again to rejoin the meeting.',
      actions: [
        {
          label: 'Sign in again',
          href: `/login?next=${encodeURIComponent(`/meet/${this.#code}`)}`,
        },
        { label: 'Rejoin as a guest', onclick: () => this.#rejoin() },
      ],
    });
  }

  /**
   * Runs on every connection. A connection the server recovered (a blip within its grace
   * window) keeps its id, room and peer connections: joining again only refreshes the room.
   * Otherwise the socket has a new id: the old peer connections are dropped and everyone is
   * negotiated with again.
   */
  async #join() {
    if (this.#left) return;
    const attempt = ++this.#attempt;
    const stale = () => this.#left || attempt !== this.#attempt;
    if (!this.#signaling.recovered) {
      this.#removeEveryone();
      this.#people.clear();
      // The room's history comes again with the answer: what is already shown is skipped.
      this.#replayed = new Map();
      for (const key of this.#shownChat)
        this.#replayed.set(key, (this.#replayed.get(key) ?? 0) + 1);
    }
    this.#lobby = [];
    let answer;
    try {
      answer = await this.#signaling.join(this.#code, this.#name, this.#passcode);
      // A registered meeting with a passcode: the form asks for it (again, when it was wrong;
      // `rate-limited` after a passcode is too many wrong ones).
      for (;;) {
        if (answer.ok || stale()) break;
        const problem = PASSCODE_PROBLEMS.get(answer.error.code);
        if (!problem) break;
        if (answer.error.code === 'rate-limited' && this.#passcode === undefined) break;
        const typed = await this.#view.askPasscode(problem);
        if (typed === undefined || stale()) return;
        this.#passcode = typed;
        answer = await this.#signaling.join(this.#code, this.#name, this.#passcode);
      }
    } catch {
      return; // disconnected before the answer: the next connection joins again
    } finally {
      if (!stale()) this.#replayed = undefined;
    }
    if (stale()) return;
    if (!answer.ok) {
      this.#outOfCall({
        id: 'join-failed',
        title: 'Could not join the meeting',
        detail: describeError(answer.error),
        rejoin: answer.error.code === 'banned' ? undefined : 'Try again',
      });
      return;
    }
    if ('waiting' in answer) {
      this.#view.showWaiting(true);
      return; // `admitted` brings the join answer
    }
    this.#entered(answer);
  }

  /**
   * In the call: a join answer, or the one `admitted` brings from the waiting room.
   * @param {JoinResult} answer
   */
  #entered(answer) {
    if (this.#left) return;
    this.#view.showCall();
    // The answer is authoritative for who was there and their roles; anyone announced
    // since (a `user-joined` that overtook it) stays.
    for (const { socketId, name, role, guest, media, handRaised } of answer.participants) {
      const known = this.#people.get(socketId);
      this.#people.set(socketId, {
        socketId,
        name,
        role,
        guest,
        media,
        handRaisedAt: handRaised ? (known?.handRaisedAt ?? ++this.#hands) : undefined,
      });
    }
    this.#lobby = answer.lobby ?? [];
    if (answer.meeting) this.#showMeetingState(answer.meeting);
    this.#showPeople();
    this.#showLobby();
    if (answer.lobby?.length) say(`${answer.lobby.length} waiting to be let in.`, { id: 'lobby' });
    // The meeting asks joiners to start muted (not its host, whom nobody mutes): on entering,
    // not again on each reconnection, and not remembered for other meetings.
    if (!this.#everJoined && answer.muteOnEntry && this.#role !== 'host' && this.#media.state.audio)
      this.#media.setAudio(false, false);
    if (answer.iceServers.length) this.#iceServers = answer.iceServers;
    // Anyone we still show who is no longer there (we missed their leaving) goes.
    const present = new Set(answer.participants.map(({ socketId }) => socketId));
    for (const id of [...this.#participants.keys()]) if (!present.has(id)) this.#remove(id);
    for (const { socketId, name, media, handRaised } of answer.participants) {
      if (socketId === this.#signaling.id) continue;
      const { tile } = this.#ensureParticipant(socketId, name, true);
      this.#view.showMedia(socketId, media);
      tile.showHand(handRaised);
    }
    const firstJoin = !this.#everJoined;
    this.#joined = true;
    this.#everJoined = true;
    this.#view.showJoined(this.#signaling.id);
    if (firstJoin) {
      const others = answer.participants.length - 1;
      say(
        others === 0
          ? 'You joined. Nobody else is here yet.'
          : `You joined. ${others === 1 ? '1 other person is' : `${others} others are`} here.`,
        { id: 'joined' },
      );
    }
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
    const speaker = loadPrefs().speakerId;
    if (speaker) this.#view.useSpeaker(speaker);
    const peer = new RemotePeer({
      initiator,
      // Both sides compare the same two ids, so exactly one of them is polite.
      polite: (this.#signaling.id ?? '') < id,
      iceServers: this.#iceServers,
      tracks: this.#media.tracks,
      stream: this.#media.stream,
      send: (signal) => this.#signaling.signal(id, signal),
      onStream: (stream) => {
        tile.showStream(stream);
        this.#levels.watch(id, stream);
      },
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
    this.#view.removeTile(id);
    this.#levels.unwatch(id);
    this.#participants.delete(id);
  }

  #removeEveryone() {
    for (const id of [...this.#participants.keys()]) this.#remove(id);
  }

  /** This page's role in the room (a participant until the join answer says otherwise). */
  get #role() {
    const id = this.#signaling.id;
    return (id && this.#people.get(id)?.role) || 'participant';
  }

  get #moderator() {
    return this.#role === 'host' || this.#role === 'cohost';
  }

  /** @param {string} id */
  #nameOf(id) {
    return this.#people.get(id)?.name ?? 'them';
  }

  #showPeople() {
    this.#view.showParticipants([...this.#people.values()], this.#signaling.id);
  }

  #showLobby() {
    this.#view.showLobby(this.#lobby, this.#moderator);
  }

  /** @param {MeetingState} state */
  #showMeetingState(state) {
    this.#meetingState = state;
    this.#view.showMeetingState(state);
  }

  /**
   * Runs a host action and tells the user, in words, when the server refused it.
   * @param {string} what what was tried, e.g. "remove Ada"
   * @param {() => Promise<ActionAnswer>} run
   * @returns {Promise<boolean>} whether it was done
   */
  async #act(what, run) {
    const answer = await run();
    if (this.#left) return answer.ok;
    if (!answer.ok) say(`Could not ${what}: ${describeError(answer.error)}`, { kind: 'error' });
    return answer.ok;
  }

  async #endForAll() {
    this.#ending = true;
    const done = await this.#act('end the meeting', () => this.#signaling.endMeeting());
    if (!done) this.#ending = false;
  }

  /** @param {boolean} raised */
  #raiseHand(raised) {
    this.#handRaised = raised;
    this.#view.showHand(raised);
    const id = this.#signaling.id;
    if (id) this.#setHand(id, raised);
    if (this.#joined) this.#signaling.raiseHand(raised);
  }

  /**
   * Raised hands in the order they went up.
   * @param {string} id
   * @param {boolean} raised
   */
  #setHand(id, raised) {
    const person = this.#people.get(id);
    if (!person) return;
    if (raised && person.handRaisedAt !== undefined) return;
    this.#people.set(id, { ...person, handRaisedAt: raised ? ++this.#hands : undefined });
    this.#showPeople();
  }

  async #switchCamera() {
    const turningOn = !this.#media.state.video;
    await this.#media.setVideo(turningOn);
    if (turningOn && !this.#media.state.video && this.#media.problem)
      say(this.#media.problem, { kind: 'error' });
  }

  /** Back into the same meeting, with the passcode that let this page in. */
  #rejoin() {
    this.#onRejoin(this.#passcode);
  }

  async #switchScreen() {
    if (this.#media.state.screen) return this.#media.stopScreen();
    const problem = await this.#media.shareScreen();
    if (problem) say(problem, { kind: 'error' });
  }

  #watchOwnAudio() {
    const track = this.#media.audioTrack;
    if (track) this.#levels.watch('self', new MediaStream([track]));
    else this.#levels.unwatch('self');
  }

  #localMediaChanged() {
    if (this.#left) return;
    const { state, videoTrack, audioTrack } = this.#media;
    this.#view.showLocalMedia(state, videoTrack);
    for (const { peer } of this.#participants.values()) {
      peer.setTrack('audio', audioTrack);
      peer.setTrack('video', videoTrack);
    }
    this.#watchOwnAudio();
    const id = this.#signaling.id;
    const person = id ? this.#people.get(id) : undefined;
    if (id && person) {
      this.#people.set(id, { ...person, media: state });
      this.#showPeople();
    }
    if (this.#joined) this.#signaling.mediaState(state);
  }
}
