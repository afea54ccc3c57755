import { Injectable } from '@nestjs/common';
import type { MediaState, Role } from '../protocol/events.js';
import {
  type Departure,
  type Ghosts,
  type JoinOutcome,
  type NewParticipant,
  type Participant,
  RoomFullError,
  type RoomRegistry,
  type RoomStats,
  type WaitingEntry,
} from './room-registry.js';

/**
 * Single-process registry: two Maps, keyed by socket and by room (never plain objects keyed
 * by client input, so `__proto__` is just another room id).
 */
@Injectable()
export class InMemoryRoomRegistry implements RoomRegistry {
  private readonly bySocket = new Map<string, Participant>();
  private readonly rooms = new Map<string, Map<string, Participant>>();
  private readonly locked = new Set<string>();
  private readonly bannedSockets = new Map<string, Set<string>>();
  /** Accounts a host made co-hosts of a room's live session. */
  private readonly cohosts = new Map<string, Set<string>>();
  /** Waiting entries by socket, and each room's waiting sockets in arrival order. */
  private readonly queued = new Map<string, WaitingEntry>();
  private readonly queues = new Map<string, Map<string, WaitingEntry>>();
  /** Sockets whose connection dropped, and until when (ms) they keep their place. */
  private readonly away = new Map<string, number>();

  join(newcomer: NewParticipant, capacity: number): Promise<JoinOutcome> {
    const current = this.bySocket.get(newcomer.socketId);
    const target = this.rooms.get(newcomer.roomId);
    if (current && target && current.roomId === newcomer.roomId) {
      return Promise.resolve({ rejoined: true, participants: [...target.values()] });
    }
    if (target && target.size >= capacity) {
      return Promise.reject(new RoomFullError(newcomer.roomId, capacity));
    }
    const left = current ? this.remove(current) : undefined;
    const first = this.rooms.get(newcomer.roomId)?.values().next().value;
    const sessionId = first ? first.sessionId : newcomer.sessionId;
    const participant: Participant = {
      ...newcomer,
      ...(sessionId !== undefined ? { sessionId } : {}),
      role: newcomer.role ?? 'participant',
      joinedAt: newcomer.joinedAt ?? Date.now(),
      media: null,
      handRaised: false,
    };
    let room = this.rooms.get(participant.roomId);
    if (!room) this.rooms.set(participant.roomId, (room = new Map<string, Participant>()));
    room.set(participant.socketId, participant);
    this.bySocket.set(participant.socketId, participant);
    return Promise.resolve({ rejoined: false, left, participants: [...room.values()] });
  }

  leave(socketId: string): Promise<Participant | undefined> {
    const participant = this.bySocket.get(socketId);
    return Promise.resolve(participant ? this.remove(participant) : undefined);
  }

  participant(socketId: string): Promise<Participant | undefined> {
    return Promise.resolve(this.bySocket.get(socketId));
  }

  inSameRoom(socketA: string, socketB: string): Promise<boolean> {
    const a = this.bySocket.get(socketA);
    return Promise.resolve(a !== undefined && a.roomId === this.bySocket.get(socketB)?.roomId);
  }

  participants(roomId: string): Promise<Participant[]> {
    return Promise.resolve([...(this.rooms.get(roomId)?.values() ?? [])]);
  }

  setLocked(roomId: string, locked: boolean): Promise<void> {
    if (locked && this.rooms.has(roomId)) this.locked.add(roomId);
    else this.locked.delete(roomId);
    return Promise.resolve();
  }

  isLocked(roomId: string): Promise<boolean> {
    return Promise.resolve(this.locked.has(roomId));
  }

  enqueue(entry: WaitingEntry): Promise<void> {
    const previous = this.queued.get(entry.socketId);
    if (previous) this.queues.get(previous.roomId)?.delete(entry.socketId);
    this.queued.set(entry.socketId, entry);
    let queue = this.queues.get(entry.roomId);
    if (!queue) this.queues.set(entry.roomId, (queue = new Map<string, WaitingEntry>()));
    queue.set(entry.socketId, entry);
    return Promise.resolve();
  }

  dequeue(roomId: string, socketId: string): Promise<WaitingEntry | undefined> {
    const entry = this.queued.get(socketId);
    if (!entry || entry.roomId !== roomId) return Promise.resolve(undefined);
    return this.leaveQueue(socketId);
  }

  leaveQueue(socketId: string): Promise<WaitingEntry | undefined> {
    const entry = this.queued.get(socketId);
    if (!entry) return Promise.resolve(undefined);
    this.queued.delete(socketId);
    const queue = this.queues.get(entry.roomId);
    queue?.delete(socketId);
    if (queue?.size === 0) this.queues.delete(entry.roomId);
    return Promise.resolve(entry);
  }

  waiting(roomId: string): Promise<WaitingEntry[]> {
    return Promise.resolve([...(this.queues.get(roomId)?.values() ?? [])]);
  }

  banSocket(roomId: string, socketId: string): Promise<void> {
    if (this.rooms.has(roomId)) {
      let banned = this.bannedSockets.get(roomId);
      if (!banned) this.bannedSockets.set(roomId, (banned = new Set()));
      banned.add(socketId);
    }
    return Promise.resolve();
  }

  isSocketBanned(roomId: string, socketId: string): Promise<boolean> {
    return Promise.resolve(this.bannedSockets.get(roomId)?.has(socketId) ?? false);
  }

  grantCohost(roomId: string, userId: string, granted: boolean): Promise<void> {
    if (granted && this.rooms.has(roomId)) {
      let accounts = this.cohosts.get(roomId);
      if (!accounts) this.cohosts.set(roomId, (accounts = new Set()));
      accounts.add(userId);
    } else if (!granted) {
      this.cohosts.get(roomId)?.delete(userId);
    }
    return Promise.resolve();
  }

  isCohost(roomId: string, userId: string): Promise<boolean> {
    return Promise.resolve(this.cohosts.get(roomId)?.has(userId) ?? false);
  }

  setRole(socketId: string, role: Role): Promise<string | undefined> {
    const participant = this.bySocket.get(socketId);
    if (participant) participant.role = role;
    return Promise.resolve(participant?.roomId);
  }

  rename(socketId: string, name: string): Promise<void> {
    const participant = this.bySocket.get(socketId);
    if (participant) participant.name = name;
    return Promise.resolve();
  }

  setMedia(socketId: string, media: MediaState): Promise<string | undefined> {
    const participant = this.bySocket.get(socketId);
    if (participant) participant.media = { ...media };
    return Promise.resolve(participant?.roomId);
  }

  setHandRaised(socketId: string, raised: boolean): Promise<string | undefined> {
    const participant = this.bySocket.get(socketId);
    if (participant) participant.handRaised = raised;
    return Promise.resolve(participant?.roomId);
  }

  markAway(
    socketId: string,
    until: number,
  ): Promise<{ participant: Participant; away: boolean } | undefined> {
    const participant = this.bySocket.get(socketId);
    if (participant) {
      this.away.set(socketId, until);
      participant.lastSeenAt = Date.now();
    }
    return Promise.resolve(participant ? { participant, away: true } : undefined);
  }

  markBack(socketId: string): Promise<{ participant: Participant; wasAway: boolean } | undefined> {
    const participant = this.bySocket.get(socketId);
    const wasAway = this.away.delete(socketId);
    if (participant) delete participant.lastSeenAt;
    return Promise.resolve(participant ? { participant, wasAway } : undefined);
  }

  removeExpiredAway(now: number): Promise<Participant[]> {
    const removed: Participant[] = [];
    for (const [socketId, until] of this.away) {
      if (until > now) continue;
      this.away.delete(socketId);
      const participant = this.bySocket.get(socketId);
      if (participant) removed.push(this.remove(participant));
    }
    return Promise.resolve(removed);
  }

  stats(): Promise<RoomStats> {
    const participants = this.bySocket.size;
    return Promise.resolve({
      rooms: this.rooms.size,
      participants,
      localParticipants: participants,
    });
  }

  lastKnown(socketId: string): Participant | undefined {
    const participant = this.bySocket.get(socketId);
    return participant ? { ...participant } : undefined;
  }

  restoreIfLost(): Promise<{ restored: Participant[]; departed: Participant[] }> {
    return Promise.resolve({ restored: [], departed: [] });
  }

  departedWhileLost(): Promise<Departure[]> {
    return Promise.resolve([]);
  }

  reachable(): Promise<boolean> {
    return Promise.resolve(true);
  }

  heartbeat(): Promise<void> {
    return Promise.resolve();
  }

  reconcile(): Promise<Participant[]> {
    return Promise.resolve([]);
  }

  onReconnect(): () => void {
    return () => undefined;
  }

  removeDeadNodes(): Promise<Ghosts> {
    return Promise.resolve({ participants: [], waiting: [] });
  }

  close(): Promise<void> {
    this.away.clear();
    this.bySocket.clear();
    this.rooms.clear();
    return Promise.resolve();
  }

  private remove(participant: Participant): Participant {
    this.away.delete(participant.socketId);
    this.bySocket.delete(participant.socketId);
    const room = this.rooms.get(participant.roomId);
    room?.delete(participant.socketId);
    if (room?.size === 0) {
      this.rooms.delete(participant.roomId);
      this.locked.delete(participant.roomId);
      this.bannedSockets.delete(participant.roomId);
      this.cohosts.delete(participant.roomId);
    }
    return participant;
  }
}
