import type { MediaState, ParticipantView, Role } from '../protocol/events.js';

/** Injection token of the RoomRegistry implementation (in-memory, or Redis when scaled out). */
export const ROOM_REGISTRY = Symbol('ROOM_REGISTRY');

/** A participant as the registry keeps it (a guest is one without a userId). */
export interface Participant extends Omit<ParticipantView, 'guest'> {
  roomId: string;
  /**
   * The room's live session (first in → last out): the id its first member brought, shared
   * by everyone who joins while the room has members. Missing only on records written by an
   * older version.
   */
  sessionId?: string;
  /**
   * Set while its connection is away (when it dropped), and on a dead instance's participants
   * (that instance's last heartbeat, at the latest): when it was last known to be there.
   */
  lastSeenAt?: number;
}

export type NewParticipant = Omit<
  Participant,
  'joinedAt' | 'media' | 'handRaised' | 'role' | 'sessionId' | 'lastSeenAt'
> & {
  joinedAt?: number;
  /** Default `participant`. */
  role?: Role;
  /** The session id to start when the room is empty (else the room's own is kept). */
  sessionId?: string;
  /**
   * Shared registries: the instance holding the socket when it is not this one (a host here
   * admits a socket waiting on another instance); default this instance.
   */
  node?: string;
};

export interface JoinOutcome {
  /** The socket was in this room already: nothing changed (its name neither). */
  rejoined: boolean;
  /** The room left to join this one, and the participant as they were there. */
  left?: Participant;
  /** Everyone in the joined room, the joiner included, in join order. */
  participants: Participant[];
}

/** Someone in a registered meeting's waiting room. */
export interface WaitingEntry {
  socketId: string;
  roomId: string;
  name: string;
  /** Present for signed-in callers. */
  userId?: string;
  /** When it started waiting (ms). */
  since: number;
  /**
   * Shared registries: the instance holding the socket (set on entries read back), so that
   * letting it in from another instance, or queueing it again, keeps it there.
   */
  node?: string;
}

export interface RoomStats {
  rooms: number;
  participants: number;
  /** Participants whose socket this instance holds (all of them for a single process). */
  localParticipants: number;
}

export class RoomFullError extends Error {
  constructor(
    readonly roomId: string,
    readonly capacity: number,
  ) {
    super(`room is full (${capacity} participants)`);
    this.name = 'RoomFullError';
  }
}

/** What a dead instance left behind: its participants and its sockets in waiting rooms. */
export interface Ghosts {
  participants: Participant[];
  waiting: WaitingEntry[];
}

/** A participant who left while the shared store had lost them, and when that was found. */
export interface Departure {
  participant: Participant;
  at: number;
}

/**
 * The only owner of room membership. A socket is in at most one room; empty rooms disappear.
 * Async throughout, so a shared implementation (Redis) can replace the in-memory one without
 * touching the call rules. Lookups by socket and by room are O(1).
 */
export interface RoomRegistry {
  /** Adds the socket to a room (leaving its current one); throws RoomFullError at capacity. */
  join(participant: NewParticipant, capacity: number): Promise<JoinOutcome>;
  /** Removes the socket from its room; undefined when it was in none. */
  leave(socketId: string): Promise<Participant | undefined>;
  participant(socketId: string): Promise<Participant | undefined>;
  /** Whether both sockets are in the same room (the signal relay rule). */
  inSameRoom(socketA: string, socketB: string): Promise<boolean>;
  participants(roomId: string): Promise<Participant[]>;
  /** Locks or unlocks a room for its live session (the lock goes when the room empties). */
  setLocked(roomId: string, locked: boolean): Promise<void>;
  isLocked(roomId: string): Promise<boolean>;
  /** Puts a socket (in no room) in a room's waiting room, or refreshes its entry. */
  enqueue(entry: WaitingEntry): Promise<void>;
  /** Takes a socket out of a room's waiting room: its entry, or undefined when not there. */
  dequeue(roomId: string, socketId: string): Promise<WaitingEntry | undefined>;
  /** Takes a socket out of whichever waiting room it is in. */
  leaveQueue(socketId: string): Promise<WaitingEntry | undefined>;
  /** A room's waiting room, longest waiting first. */
  waiting(roomId: string): Promise<WaitingEntry[]>;
  /** Bans a socket (a guest's identity) from a room for its live session. */
  banSocket(roomId: string, socketId: string): Promise<void>;
  isSocketBanned(roomId: string, socketId: string): Promise<boolean>;
  /**
   * Makes an account a co-host of a room's live session (on every device it joins with, and
   * when it comes back), or takes that back. Forgotten when the room empties.
   */
  grantCohost(roomId: string, userId: string, granted: boolean): Promise<void>;
  isCohost(roomId: string, userId: string): Promise<boolean>;
  /** Changes the socket's role in its room; its room, or undefined when in none. */
  setRole(socketId: string, role: Role): Promise<string | undefined>;
  /** Changes the socket's display name in its room (no-op when in none). */
  rename(socketId: string, name: string): Promise<void>;
  /** Updates the socket's media state; its room, or undefined when in none. */
  setMedia(socketId: string, media: MediaState): Promise<string | undefined>;
  setHandRaised(socketId: string, raised: boolean): Promise<string | undefined>;
  /**
   * The socket's connection to this instance dropped: it keeps its place (and role, media
   * state) until `until` (ms) unless it comes back. Its participant, or undefined when it is
   * in no room; `away: false` when it already came back, connected to another instance (not
   * marked then).
   */
  markAway(
    socketId: string,
    until: number,
  ): Promise<{ participant: Participant; away: boolean } | undefined>;
  /**
   * The socket is connected (again) to this instance: no longer away. Its participant and
   * whether it was away, or undefined when it is in no room (its time away ran out).
   */
  markBack(socketId: string): Promise<{ participant: Participant; wasAway: boolean } | undefined>;
  /** Removes the participants whose time away ended by `now`: each once, whoever asks. */
  removeExpiredAway(now: number): Promise<Participant[]>;
  /** Rooms and participants of every instance, and the participants connected to this one. */
  stats(): Promise<RoomStats>;
  /** Whether the registry answers now (a shared one: Redis answers a ping within 1 s). */
  reachable(): Promise<boolean>;
  /**
   * Shared registries: when the shared store lost this instance's participants (Redis came
   * back empty), publishes them again from this instance's last copy, those for whom
   * `isStillHere(socketId, roomId)` holds: `restored`. The others of that copy left while the
   * store could not be told (their departure was never announced): `departed`. Both empty
   * for one process, and when nothing was lost.
   */
  restoreIfLost(
    isStillHere: (socketId: string, roomId: string) => boolean,
  ): Promise<{ restored: Participant[]; departed: Participant[] }>;
  /**
   * Shared registries: the `departed` of every instance's restoreIfLost since `since` (ms),
   * with when they were found gone, for each instance to tell its own members; older ones
   * are forgotten. Empty for one process.
   */
  departedWhileLost(since: number): Promise<Departure[]>;
  /**
   * A participant connected to this instance as this instance last saw it, without asking
   * the shared store (a shared registry: its copy from the last heartbeat), for when that
   * store cannot be reached.
   */
  lastKnown(socketId: string): Participant | undefined;
  /**
   * Shared registries: this instance is alive (no-op for a single process); its copy of its
   * participants (lastKnown, restoreIfLost) is read again.
   */
  heartbeat(): Promise<void>;
  /**
   * Shared registries: makes the shared store agree with this instance's own sockets after an
   * outage it kept its data through (a hung Redis, a partition, a restart with persistence).
   * Departures this instance could not record are recorded now; a participant of this
   * instance no longer connected here (by `isStillHere`, found so twice, a second or more
   * apart) is away until `graceMs` after it was first found gone, then removed. Returns those
   * removed, nobody having announced them (empty for one process).
   */
  reconcile(
    isStillHere: (socketId: string, roomId: string) => boolean,
    graceMs: number,
  ): Promise<Participant[]>;
  /**
   * Shared registries: calls the listener each time the connection to the shared store is
   * (again) ready, so lost participants are published again at once. Never for one process.
   */
  onReconnect(listener: () => void): () => void;
  /**
   * Shared registries: removes the participants and waiting sockets of instances silent since
   * `deadBefore` (ms) and returns them, so their rooms can be told. A single process has none.
   */
  removeDeadNodes(deadBefore: number): Promise<Ghosts>;
  /** Releases connections; a shared registry also forgets this instance's participants. */
  close(): Promise<void>;
}
