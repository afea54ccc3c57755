/**
 * Every Socket.IO event and its arguments, declared once for the gateway, the tests, the
 * benchmark and the reference client. Event names and argument order of the original
 * protocol (join-call, user-joined, signal, chat-message, user-left) are the existing
 * client's and must not change.
 */

import type { SignalingErrorCode } from './errors.js';

export type { SignalingErrorCode } from './errors.js';

export interface MediaState {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

export interface ParticipantView {
  socketId: string;
  name: string;
  /** Present for signed-in participants. */
  userId?: string;
  /** True for participants who are not signed in (their name is whatever they typed). */
  guest: boolean;
  role: Role;
  joinedAt: number;
  /** null until the participant reports its microphone, camera and screen state. */
  media: MediaState | null;
  handRaised: boolean;
}

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface IceServersResponse {
  iceServers: IceServer[];
  /** Seconds the TURN credentials stay valid. */
  ttl: number;
}

export interface SignalingError {
  code: SignalingErrorCode;
  message: string;
}

export type AckResult<T extends object = object> =
  ({ ok: true } & T) | { ok: false; error: SignalingError };
export type Ack<T extends object = object> = (result: AckResult<T>) => void;

export interface JoinResult {
  roomId: string;
  /** The joiner's own role: `host`, `cohost` or `participant` (always `participant` in an open room). */
  role: Role;
  participants: ParticipantView[];
  iceServers: IceServer[];
  /** The meeting asks joiners to start with their microphone off (never said to its host). */
  muteOnEntry?: boolean;
  /** A registered meeting's live state (locked, muteOnEntry, waitingRoom); open rooms have none. */
  meeting?: MeetingState;
  /** For a registered meeting's hosts and co-hosts: who is in the waiting room. */
  lobby?: LobbyEntry[];
}

/** The answer to a join that must wait for a host: not a member yet. */
export interface WaitingResult {
  waiting: true;
  roomId: string;
}

/** Someone in the waiting room, as hosts see them. */
export interface LobbyEntry {
  socketId: string;
  name: string;
  signedIn: boolean;
  /** Waiting since (ms since the epoch). */
  since: number;
}

/**
 * A participant's role: a registered meeting's creator is its host; a host may make others
 * co-hosts for the live session; everyone else takes part.
 */
export type Role = 'host' | 'cohost' | 'participant';

/** A registered meeting's state as its members see it. */
export interface MeetingState {
  /** Nobody new may join this live session, except its host. */
  locked: boolean;
  muteOnEntry: boolean;
  waitingRoom: WaitingRoomMode;
}

/** Who waits for a host to let them in: nobody, guests only, or everyone but the host. */
export type WaitingRoomMode = 'off' | 'guests' | 'everyone';

/** A signal payload: the existing client's JSON string, or a plain object. */
export type SignalPayload = string | Record<string, unknown>;

export interface ClientToServerEvents {
  'join-call': (
    roomId: string,
    displayName?: string,
    options?: { passcode?: string },
    ack?: Ack<JoinResult | WaitingResult>,
  ) => void;
  signal: (toSocketId: string, message: SignalPayload, ack?: Ack) => void;
  'chat-message': (text: string, senderName?: string, ack?: Ack) => void;
  'leave-call': (ack?: Ack) => void;
  'media-state': (state: MediaState, ack?: Ack) => void;
  'raise-hand': (raised: boolean, ack?: Ack) => void;
  /** Host only: makes a member a co-host, or a participant again. */
  'set-role': (socketId: string, role: 'cohost' | 'participant', ack?: Ack) => void;
  /** Host or co-host: asks one member (not a host) to mute. */
  'mute-participant': (socketId: string, ack?: Ack) => void;
  /** Host or co-host: asks every member but the hosts to mute. */
  'mute-all': (ack?: Ack) => void;
  /** Host or co-host: takes a member (not a host) out of the call. */
  'remove-participant': (socketId: string, options?: { ban?: boolean }, ack?: Ack) => void;
  /** Host only: everyone is out of the call. */
  'end-meeting': (ack?: Ack) => void;
  /** Host or co-host: lets someone in from the waiting room. */
  admit: (socketId: string, ack?: Ack) => void;
  /** Host or co-host: lets everyone in from the waiting room. */
  'admit-all': (ack?: Ack) => void;
  /** Host or co-host: turns someone in the waiting room away. */
  deny: (socketId: string, ack?: Ack) => void;
  /** Host or co-host: locks the live session, or asks joiners to start muted. */
  'update-meeting': (
    changes: { locked?: boolean; muteOnEntry?: boolean; waitingRoom?: WaitingRoomMode },
    ack?: Ack,
  ) => void;
}

export interface ServerToClientEvents {
  /** To every member, the joiner included: only this room's sockets and names. */
  'user-joined': (
    joinerSocketId: string,
    clients: string[],
    usernames: Record<string, string>,
  ) => void;
  /**
   * A member's connection dropped: it keeps its place for the grace window (RECONNECT_GRACE)
   * and may come back with the same id (`participant-reconnected`), or leaves (`user-left`).
   */
  'participant-reconnecting': (socketId: string) => void;
  /** A member whose connection dropped is back, with the same id, room, role and media. */
  'participant-reconnected': (socketId: string) => void;
  /** After `user-joined`, to the others: the joiner as everyone sees it (guest flag, role). */
  'participant-joined': (joiner: ParticipantView) => void;
  signal: (fromSocketId: string, message: SignalPayload) => void;
  /**
   * Live messages to every member; replayed history to the joiner, same argument order.
   * `sentAt` (ms since the epoch, the server's clock) was added after the original client's
   * three arguments, which it ignores.
   */
  'chat-message': (
    text: string,
    senderName: string,
    senderSocketId: string,
    sentAt: number,
  ) => void;
  'user-left': (socketId: string, timeOnlineMs: number) => void;
  'media-state': (socketId: string, state: MediaState) => void;
  'raise-hand': (socketId: string, raised: boolean) => void;
  /** An event failed and the client passed no acknowledgement callback. */
  'signaling-error': (event: string, error: SignalingError) => void;
  /** Sent just before the server disconnects a socket whose token expired or was revoked. */
  'session-ended': (reason: 'token-expired' | 'signed-out') => void;
  /** To the room: a member's role changed. */
  'role-changed': (socketId: string, role: Role) => void;
  /** A host asks you to mute (media is peer to peer: the server cannot do it for you). */
  'mute-request': () => void;
  /** A host took you out of the call; your socket stays connected. */
  removed: (details: { banned: boolean }) => void;
  /** The host ended the meeting for everyone: you are out of the call. */
  'meeting-ended': () => void;
  /** To hosts and co-hosts in the call: the waiting room changed (its whole list). */
  'lobby-updated': (waiting: LobbyEntry[]) => void;
  /** You are in: the same answer a join gives. */
  admitted: (result: JoinResult) => void;
  /** A host turned you away from the waiting room. */
  denied: () => void;
  /** To the room: a host changed the meeting's live state. */
  'meeting-updated': (state: MeetingState) => void;
}

export const CLIENT_EVENTS = [
  'join-call',
  'signal',
  'chat-message',
  'leave-call',
  'media-state',
  'raise-hand',
  'set-role',
  'mute-participant',
  'mute-all',
  'remove-participant',
  'end-meeting',
  'update-meeting',
  'admit',
  'admit-all',
  'deny',
] as const;
export type ClientEventName = (typeof CLIENT_EVENTS)[number];

export type ServerEventName = keyof ServerToClientEvents;
export type ServerEventArgs<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>;
