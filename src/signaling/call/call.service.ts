import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../../config/configuration.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { isRedisUnavailableError } from '../../common/redis-client.js';
import { ThrottledLog } from '../../common/throttled-log.js';
import { isDatabaseUnavailableError } from '../../database/database-errors.js';
import { TIMED_OUT, withinTimeLimit } from '../../common/time-limit.js';
import type { KeyedLimiter } from '../../rate-limits/keyed-limiter.js';
import { RateLimits } from '../../rate-limits/rate-limits.js';
import { SignalingFailure } from '../protocol/errors.js';
import { isMeetingCode } from '../protocol/room-id.js';
import type {
  JoinResult,
  LobbyEntry,
  MediaState,
  MeetingState,
  ParticipantView,
  Role,
  WaitingResult,
} from '../protocol/events.js';
import type {
  ChatMessage,
  JoinCallMessage,
  MediaStateMessage,
  RaiseHandMessage,
  RemoveMessage,
  SetRoleMessage,
  SignalMessage,
  TargetMessage,
  UpdateMeetingMessage,
} from '../protocol/messages.js';
import { ChatHistoryRepository, type StoredChatLine } from '../chat/chat-history.repository.js';
import { InstanceHeartbeat } from '../rooms/instance-heartbeat.js';
import {
  type Participant,
  ROOM_REGISTRY,
  RoomFullError,
  type RoomRegistry,
  type RoomStats,
  type WaitingEntry,
} from '../rooms/room-registry.js';
import type { Caller } from './caller.js';
import {
  CALL_RECORDER,
  type CallRecorder,
  inSession,
  type VisitEndReason,
} from './call-recorder.js';
import { IceServersService } from './ice-servers.service.js';
import { MEETING_RULES, type MeetingJoinRules, type MeetingRules } from './meeting-rules.js';
import { ConfirmedRooms } from './confirmed-rooms.js';
import { ROOM_NOTIFIER, type RoomNotifier } from './room-notifier.js';

/** Why members left, for their attendance records. */
interface Departure {
  reason: VisitEndReason;
  removedBy?: Participant;
  banned?: boolean;
}

/**
 * Who acts as a host: a moderator in the call, or the meeting's host through the REST API
 * (an account, no socket).
 */
type Actor = Pick<Participant, 'roomId'> & { socketId?: string; userId?: string };

/** Whoever enters a room: a joiner, or a socket a host let in from the waiting room. */
interface Entrant {
  socketId: string;
  name: string;
  userId?: string;
  /** Whose TURN credentials it gets. */
  iceIdentity: string;
  /** Scaled out: the instance holding its socket, when not this one (see WaitingEntry). */
  node?: string;
}

/** Someone waiting, as hosts see them. */
export function toLobbyEntry(entry: WaitingEntry): LobbyEntry {
  return {
    socketId: entry.socketId,
    name: entry.name,
    signedIn: entry.userId !== undefined,
    since: entry.since,
  };
}

/** Who may moderate a call: its hosts and co-hosts. */
const MODERATORS: readonly Role[] = ['host', 'cohost'];

/** How long a join into a meeting-code room waits for the meeting's settings. */
const RULES_WAIT_MS = 1_000;
/** How many meeting-code rooms' last read settings are kept for a database outage. */
const MAX_KNOWN_RULES = 10_000;

/** How many rounds of in-flight chat deliveries a join waits for (a flood cannot hold it). */
const MAX_CHAT_WAITS = 10;
/** How long the relay trusts the registry's word on a remote target's room, and for how many. */
const CONFIRMED_ROOM_TTL_MS = 10_000;
const MAX_CONFIRMED_ROOMS = 100_000;
/** A dropped socket's time away is ended this long after its deadline (clock slack). */
const AWAY_SWEEP_SLACK_MS = 50;

/** A guest who gives no name. */
export const GUEST_NAME = 'Guest';

/** What everyone may see of a participant (the join acknowledgement, presence). */
export function toParticipantView(participant: Participant): ParticipantView {
  const view: ParticipantView = {
    socketId: participant.socketId,
    name: participant.name,
    guest: participant.userId === undefined,
    role: participant.role,
    joinedAt: participant.joinedAt,
    media: participant.media,
    handRaised: participant.handRaised,
  };
  if (participant.userId) view.userId = participant.userId;
  return view;
}

/** The suffix that tells a guest apart from a signed-in member who has the same name. */
export const GUEST_SUFFIX = ' (guest)';

/**
 * A name as people read it: compatibility forms folded (NFKC: full-width letters, ligatures),
 * invisible format characters dropped, any run of white space one space, case ignored.
 */
function nameKey(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .replace(/\s+/gu, ' ')
    .trim()
    .toLocaleLowerCase('en');
}

/** Who is in a meeting, as signed-in users may see it over REST: no socket ids or user ids. */
export interface PresenceEntry {
  name: string;
  joinedAt: Date;
  /** null until the participant reports it. */
  media: MediaState | null;
  handRaised: boolean;
  signedIn: boolean;
  role: Role;
}

export function toPresenceEntry(view: ParticipantView): PresenceEntry {
  return {
    name: view.name,
    joinedAt: new Date(view.joinedAt),
    media: view.media,
    handRaised: view.handRaised,
    signedIn: view.userId !== undefined,
    role: view.role,
  };
}

/**
 * The rules of a call: joining and leaving rooms, relaying signals within a room, chat,
 * media state and raised hands. Membership is the RoomRegistry's (shared by every instance);
 * clients are told through the RoomNotifier. Nothing here knows about sockets.
 */
@Injectable()
export class CallService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Signaling');
  private readonly capacity: number;
  /** Wrong passcodes, per meeting and caller: counted before the comparison. */
  private readonly passcodeFailures: KeyedLimiter;
  /** The latest join boundary taken on this instance, and the latest chat stamp (ms). */
  private lastBoundary = 0;
  private lastSentAt = 0;
  private stopListening?: () => void;
  private stopListeningForDeparted?: () => void;
  private stopWatchingDeletions?: () => void;
  private stopWatchingSettings?: () => void;
  /** How long a dropped socket keeps its place (0: none), and the timers that end it here. */
  private readonly graceMs: number;
  private readonly awayTimers = new Set<NodeJS.Timeout>();
  /** Per room, chat messages whose delivery to this instance's members is still under way. */
  private readonly chatInFlight = new Map<string, Set<Promise<void>>>();
  /** Remote signal targets' rooms, as the registry confirmed them (see relaySignal). */
  private readonly confirmedRooms = new ConfirmedRooms(CONFIRMED_ROOM_TTL_MS, MAX_CONFIRMED_ROOMS);
  /**
   * The settings last read for each registered meeting, least recently read first: what
   * joins go by while the database cannot answer.
   */
  private readonly knownRules = new Map<string, MeetingJoinRules>();
  private readonly rulesUnavailable = new ThrottledLog(this.logger);

  constructor(
    @Inject(ROOM_REGISTRY) private readonly registry: RoomRegistry,
    @Inject(MEETING_RULES) private readonly meetings: MeetingRules,
    @Inject(ROOM_NOTIFIER) private readonly notifier: RoomNotifier,
    private readonly chat: ChatHistoryRepository,
    private readonly iceServers: IceServersService,
    private readonly heartbeat: InstanceHeartbeat,
    private readonly metrics: MetricsService,
    rateLimits: RateLimits,
    config: ConfigService<AppConfig, true>,
    @Optional() @Inject(CALL_RECORDER) private readonly recorder?: CallRecorder,
  ) {
    const signaling = config.get('signaling', { infer: true });
    this.capacity = signaling.maxParticipantsPerRoom;
    this.graceMs = signaling.reconnectGraceMs;
    this.passcodeFailures = rateLimits.shared('passcode-failures', signaling.passcodeFailures);
  }

  onModuleInit(): void {
    // Participants of a dead instance left their rooms without a word: tell the others.
    this.stopListening = this.heartbeat.onGhosts(({ participants, waiting }) => {
      this.announceLeft(participants, { reason: 'disconnected' }).catch((error: unknown) => {
        this.logger.warn(
          `could not announce the participants of a dead instance: ${String(error)}`,
        );
      });
      // Its sockets in waiting rooms are gone too: their hosts see the shorter list.
      for (const roomId of new Set(waiting.map((entry) => entry.roomId))) {
        this.lobbyChanged(roomId).catch((error: unknown) => {
          this.logger.warn(`could not update the waiting list of ${roomId}: ${String(error)}`);
        });
      }
    });
    // Left while Redis had lost them: the registry, just filled again, cannot say who is in
    // their rooms yet (other instances republish at their own heartbeat), but each instance
    // knows its own members: every member still connected, on any instance, hears it once.
    this.stopListeningForDeparted = this.heartbeat.onDepartedWhileLost((departed, foundHere) => {
      const now = Date.now();
      for (const left of departed) {
        this.notifier.toLocalRoom(left.roomId, 'user-left', left.socketId, now - left.joinedAt);
      }
      // Their visits end once, where they were found gone.
      if (foundHere) {
        this.recordDepartures(departed, { reason: 'disconnected' }).catch((error: unknown) => {
          this.logger.warn(`could not record departures: ${String(error)}`);
        });
      }
    });
    // Sockets that left on another instance: signals to them ask the registry again.
    this.notifier.onDeparted((socketIds) => {
      for (const socketId of socketIds) this.confirmedRooms.forget(socketId);
    });
    this.heartbeat.useLocalMembership(
      (socketId, roomId) => this.notifier.localRoomOf(socketId) === roomId,
    );
    // A meeting its host deleted ends for everyone in it, on every instance.
    this.stopWatchingDeletions = this.meetings.onDeleted(async (code, hostId) => {
      this.logger.log(`delete-meeting by user ${hostId} in ${code}`);
      await this.endSession(code);
    });
    this.stopWatchingSettings = this.meetings.onSettingsChanged((code, hostId) =>
      this.settingsChanged(code, hostId),
    );
  }

  onModuleDestroy(): void {
    for (const timer of this.awayTimers) clearTimeout(timer);
    this.awayTimers.clear();
    this.stopListening?.();
    this.stopListeningForDeparted?.();
    this.stopWatchingDeletions?.();
    this.stopWatchingSettings?.();
  }

  /**
   * Joins a room, leaving any other. Every member, the joiner included, hears `user-joined`;
   * then the joiner receives the room's recent chat, before any live message. Joining the
   * room one is in changes nothing: the answer is the room as it is, with no announcement.
   */
  async join(caller: Caller, message: JoinCallMessage): Promise<JoinResult | WaitingResult> {
    const { roomId } = message;
    const meeting = await this.checkAdmission(caller, message);
    const name = caller.user?.name ?? message.displayName ?? GUEST_NAME;
    if (caller.waitingIn !== undefined) await this.stopWaiting(caller);
    if (meeting && (await this.mustWait(caller.user?.userId, meeting))) {
      const current = await this.registry.participant(caller.socketId);
      if (current?.roomId !== roomId) return this.wait(caller, name, meeting);
    }
    return this.enter(
      {
        socketId: caller.socketId,
        name,
        ...(caller.user ? { userId: caller.user.userId } : {}),
        iceIdentity: caller.user?.userId ?? caller.guestId,
      },
      roomId,
      meeting,
    );
  }

  /**
   * Into the room: every member, the entrant included, hears `user-joined`; then the entrant
   * receives the room's recent chat, before any live message. Entering the room one is in
   * changes nothing: the answer is the room as it is, with no announcement.
   */
  private async enter(
    entrant: Entrant,
    roomId: string,
    meeting: MeetingJoinRules | undefined,
  ): Promise<JoinResult> {
    const { socketId } = entrant;
    const role = await this.roleOnEntry(entrant.userId, roomId, meeting);
    // A registered meeting's first entrant opens a live session; later ones join it.
    const newSessionId = meeting ? this.recorder?.newSessionId() : undefined;
    const outcome = await this.registry
      .join(
        {
          socketId,
          roomId,
          name: entrant.name,
          role,
          ...(entrant.userId ? { userId: entrant.userId } : {}),
          ...(newSessionId ? { sessionId: newSessionId } : {}),
          ...(entrant.node ? { node: entrant.node } : {}),
        },
        this.capacity,
      )
      .catch((error: unknown) => {
        throw error instanceof RoomFullError
          ? new SignalingFailure('room-full', error.message)
          : error;
      });
    const result = async (): Promise<JoinResult> => {
      const self = outcome.participants.find((member) => member.socketId === socketId);
      const answer: JoinResult = {
        roomId,
        role: self?.role ?? role,
        participants: outcome.participants.map(toParticipantView),
        iceServers: this.iceServers.forIdentity(entrant.iceIdentity).iceServers,
      };
      if (meeting) {
        answer.meeting = {
          locked: await this.registry.isLocked(roomId),
          muteOnEntry: meeting.muteOnEntry,
          waitingRoom: meeting.waitingRoom,
        };
        // Nobody asks a host to mute.
        if (meeting.muteOnEntry && answer.role !== 'host') answer.muteOnEntry = true;
      }
      if (meeting && MODERATORS.includes(answer.role)) {
        answer.lobby = (await this.registry.waiting(roomId)).map(toLobbyEntry);
      }
      return answer;
    };
    if (outcome.rejoined) {
      // Idempotent, and repairs a subscription an earlier, failed attempt may not have made.
      this.notifier.subscribe(socketId, roomId);
      return result();
    }
    if (!entrant.userId) await this.distinguishGuest(socketId, outcome.participants);
    if (outcome.left) {
      this.notifier.unsubscribe(socketId, outcome.left.roomId);
      await this.announceLeft([outcome.left], { reason: 'left' });
    }
    // A message sent here whose delivery to this instance's members is still under way (it
    // waits for Redis, scaled out) would reach the entrant live and from the history: the
    // entrant subscribes once none is, so those are history only.
    for (let tries = 0; tries < MAX_CHAT_WAITS && this.chatInFlight.has(roomId); tries++) {
      await Promise.all([...(this.chatInFlight.get(roomId) ?? [])]);
    }
    // Messages sent before this instant reach the entrant from the history; later ones live.
    // Chat sent through this instance from now on is stamped after it, and what was already
    // sent is stamped at or before it (see sendChat).
    const boundary = new Date(Math.max(Date.now(), this.lastSentAt));
    this.lastBoundary = boundary.getTime();
    this.notifier.subscribe(socketId, roomId);
    const usernames: Record<string, string> = {};
    for (const participant of outcome.participants)
      usernames[participant.socketId] = participant.name;
    // To the members the registry answered with (those who joined before, and the entrant),
    // not to the Socket.IO room: whoever joins later hears of the entrant in its own answer,
    // so however joins interleave over instances each member hears each joiner once.
    const memberIds = outcome.participants.map((participant) => participant.socketId);
    this.notifier.toSockets(memberIds, 'user-joined', socketId, memberIds, usernames);
    // The others learn the joiner as everyone sees it (a guest marked as such; in a registered
    // meeting its role: a host arriving late is a host) beside the original event, whose
    // arguments are frozen.
    const self = outcome.participants.find((participant) => participant.socketId === socketId);
    if (self) {
      const others = memberIds.filter((id) => id !== socketId);
      this.notifier.toSockets(others, 'participant-joined', toParticipantView(self));
    }
    if (meeting && self) {
      if (inSession(self)) {
        this.recorder?.entered(
          { code: meeting.code, ...(meeting.title ? { title: meeting.title } : {}) },
          self,
          outcome.participants.length,
          self.sessionId === newSessionId,
        );
      }
    }
    this.logger.debug(`socket ${socketId} joined a room of ${outcome.participants.length}`);
    const release = this.notifier.holdBack(socketId);
    let history: StoredChatLine[] = [];
    try {
      history = await this.chat.history(roomId, boundary);
    } finally {
      release(() => {
        for (const line of history) {
          this.notifier.toSocket(
            socketId,
            'chat-message',
            line.text,
            line.senderName,
            line.senderSocketId,
            line.sentAt,
          );
        }
      });
    }
    return result();
  }

  /**
   * Whether someone (an account, or a guest: undefined) waits for a host: everyone but the
   * host and the live session's co-hosts, or guests only.
   */
  private async mustWait(userId: string | undefined, meeting: MeetingJoinRules): Promise<boolean> {
    if (meeting.waitingRoom === 'off') return false;
    if (userId === undefined) return true;
    if (meeting.waitingRoom === 'guests' || userId === meeting.hostId) return false;
    return !(await this.registry.isCohost(meeting.code, userId));
  }

  /** A registered meeting's host, a co-host of its live session, or a participant. */
  private async roleOnEntry(
    userId: string | undefined,
    roomId: string,
    meeting: MeetingJoinRules | undefined,
  ): Promise<Role> {
    if (meeting === undefined || userId === undefined) return 'participant';
    if (userId === meeting.hostId) return 'host';
    return (await this.registry.isCohost(roomId, userId)) ? 'cohost' : 'participant';
  }

  /** Into the waiting room (out of any room): hosts and co-hosts in the call hear of it. */
  private async wait(
    caller: Caller,
    name: string,
    meeting: MeetingJoinRules,
  ): Promise<WaitingResult> {
    const left = await this.registry.leave(caller.socketId);
    if (left) {
      this.notifier.unsubscribe(caller.socketId, left.roomId);
      await this.announceLeft([left], { reason: 'left' });
    }
    const entry: WaitingEntry = {
      socketId: caller.socketId,
      roomId: meeting.code,
      name,
      ...(caller.user ? { userId: caller.user.userId } : {}),
      since: Date.now(),
    };
    await this.registry.enqueue(entry);
    caller.waitingIn = meeting.code;
    const members = await this.lobbyChanged(meeting.code);
    this.recorder?.waiting(entry, members.find(inSession)?.sessionId);
    return { waiting: true, roomId: meeting.code };
  }

  /** Out of the waiting room the caller was in, if still there. */
  private async stopWaiting(caller: Caller): Promise<boolean> {
    caller.waitingIn = undefined;
    const entry = await this.registry.leaveQueue(caller.socketId);
    if (entry) await this.lobbyChanged(entry.roomId);
    return entry !== undefined;
  }

  /** Tells the hosts and co-hosts in the call who is waiting now. The call's members. */
  private async lobbyChanged(roomId: string): Promise<Participant[]> {
    const [members, waiting] = await Promise.all([
      this.registry.participants(roomId),
      this.registry.waiting(roomId),
    ]);
    const lobby = waiting.map(toLobbyEntry);
    for (const member of members) {
      if (MODERATORS.includes(member.role)) {
        this.notifier.toSocket(member.socketId, 'lobby-updated', lobby);
      }
    }
    return members;
  }

  /**
   * Host or co-host: lets one waiting socket in; it gets `admitted` with its join answer. In
   * a full call it stays waiting (`room-full`); banned since, or a guest where guests are no
   * longer allowed, it is turned away (`denied`) and the actor told why.
   */
  async admit(caller: Caller, message: TargetMessage): Promise<void> {
    const actor = await this.moderator(caller, MODERATORS);
    const queued = (await this.registry.waiting(actor.roomId)).some(
      (entry) => entry.socketId === message.targetSocketId,
    );
    if (!queued) throw new SignalingFailure('not-found', 'nobody by that id is waiting');
    const full = await this.roomFull(actor.roomId);
    if (full) throw full;
    const entry = await this.registry.dequeue(actor.roomId, message.targetSocketId);
    if (!entry) throw new SignalingFailure('not-found', 'nobody by that id is waiting');
    try {
      await this.letIn(actor, entry, await this.meetings.joinRules(actor.roomId));
    } finally {
      await this.lobbyChanged(actor.roomId);
    }
  }

  /**
   * Host or co-host: lets everyone waiting in, longest waiting first. Those who do not fit in
   * the call stay waiting (`room-full`).
   */
  async admitAll(caller: Caller): Promise<void> {
    const actor = await this.moderator(caller, MODERATORS);
    const full = await this.admitWaiting(actor, await this.meetings.joinRules(actor.roomId));
    if (full) throw full;
  }

  /**
   * Lets in, longest waiting first, everyone waiting in the actor's room who passes `needed`
   * (default: everyone), the meeting's settings read once. Stops at the room's capacity: that
   * refusal is returned, the rest stay waiting.
   */
  private async admitWaiting(
    actor: Actor,
    meeting: MeetingJoinRules | undefined,
    needed: (entry: WaitingEntry) => Promise<boolean> = () => Promise.resolve(true),
  ): Promise<SignalingFailure | undefined> {
    try {
      for (const waiting of await this.registry.waiting(actor.roomId)) {
        if (!(await needed(waiting))) continue;
        // Full: the rest keep their places (checked again on entry, for a race).
        const full = await this.roomFull(actor.roomId);
        if (full) return full;
        const entry = await this.registry.dequeue(actor.roomId, waiting.socketId);
        if (!entry) continue;
        try {
          await this.letIn(actor, entry, meeting);
        } catch (error) {
          if (!(error instanceof SignalingFailure)) throw error;
          if (error.code === 'room-full') return error;
        }
      }
      return undefined;
    } finally {
      await this.lobbyChanged(actor.roomId);
    }
  }

  /** A `room-full` refusal when the call has no room for one more (checked again on entry). */
  private async roomFull(roomId: string): Promise<SignalingFailure | undefined> {
    if ((await this.registry.participants(roomId)).length < this.capacity) return undefined;
    return new SignalingFailure(
      'room-full',
      `the call is full (${this.capacity} participants): admit someone when a place frees up`,
    );
  }

  /** Host or co-host: turns one waiting socket away; it gets `denied`. */
  async deny(caller: Caller, message: TargetMessage): Promise<void> {
    const actor = await this.moderator(caller, MODERATORS);
    const entry = await this.registry.dequeue(actor.roomId, message.targetSocketId);
    if (!entry) throw new SignalingFailure('not-found', 'nobody by that id is waiting');
    this.audit(actor, 'deny', undefined, entry.socketId);
    this.notifier.toSocket(entry.socketId, 'denied');
    await this.lobbyChanged(actor.roomId);
  }

  /**
   * Into the call from the waiting room (`entry`, already out of the queue): `admitted` with
   * its join answer. Refused, a SignalingFailure: banned since it queued, or a guest where
   * guests are no longer allowed (it gets `denied`); the call full (it waits again, in its
   * place).
   */
  private async letIn(
    actor: Actor,
    entry: WaitingEntry,
    meeting: MeetingJoinRules | undefined,
  ): Promise<void> {
    const refusal = meeting ? await this.refusalOnAdmit(entry, meeting) : undefined;
    if (refusal) {
      this.notifier.toSocket(entry.socketId, 'denied');
      throw refusal;
    }
    let result: JoinResult;
    try {
      result = await this.enter(
        {
          socketId: entry.socketId,
          name: entry.name,
          ...(entry.userId ? { userId: entry.userId } : {}),
          iceIdentity: entry.userId ?? `guest-${entry.socketId}`,
          ...(entry.node ? { node: entry.node } : {}),
        },
        actor.roomId,
        meeting,
      );
    } catch (error) {
      if (error instanceof SignalingFailure && error.code === 'room-full') {
        await this.registry.enqueue(entry);
      } else {
        // Gone, or the registry failed: it is told, and not left waiting for nothing.
        this.notifier.toSocket(entry.socketId, 'denied');
      }
      throw error;
    }
    this.audit(actor, 'admit', undefined, entry.socketId);
    this.notifier.toSocket(entry.socketId, 'admitted', result);
  }

  /** What stops a waiting socket from entering now: a ban, or guests no longer allowed. */
  private async refusalOnAdmit(
    entry: WaitingEntry,
    meeting: MeetingJoinRules,
  ): Promise<SignalingFailure | undefined> {
    const banned = await this.isBanned(meeting, entry.userId, entry.socketId);
    if (banned)
      return new SignalingFailure('banned', 'a host removed that person from this meeting');
    if (!entry.userId && !meeting.allowGuests) {
      return new SignalingFailure('guests-not-allowed', 'this meeting no longer admits guests');
    }
    return undefined;
  }

  /**
   * A registered meeting's entry checks, in order: a ban, the lock, guests allowed, then
   * the passcode (its host is exempt from the lock and the passcode). Its rules, or undefined for an open room. A member already in the room
   * (a repeated join) is not asked again.
   */
  private async checkAdmission(
    caller: Caller,
    message: JoinCallMessage,
  ): Promise<MeetingJoinRules | undefined> {
    if (!isMeetingCode(message.roomId)) return undefined;
    const meeting = await this.rulesFor(message.roomId);
    if (meeting === undefined) return undefined;
    try {
      await this.checkEntry(caller, message, meeting);
    } catch (error) {
      const current = await this.registry.participant(caller.socketId);
      if (current?.roomId !== message.roomId) throw error;
    }
    return meeting;
  }

  /**
   * A meeting-code room's settings (undefined: an open room), read from the database within
   * RULES_WAIT_MS. While the database cannot answer in time, the settings this instance read
   * last for that room (a live room's joins go on; a ban or setting changed meanwhile waits
   * for the database); never read here: `unavailable`, never a join without the checks.
   */
  private async rulesFor(roomId: string): Promise<MeetingJoinRules | undefined> {
    let read: MeetingJoinRules | undefined | typeof TIMED_OUT;
    try {
      read = await withinTimeLimit(this.meetings.joinRules(roomId), RULES_WAIT_MS);
    } catch (error) {
      if (!isDatabaseUnavailableError(error)) throw error;
      read = TIMED_OUT;
    }
    if (read !== TIMED_OUT) {
      this.knownRules.delete(roomId);
      if (read) this.knownRules.set(roomId, read);
      if (this.knownRules.size > MAX_KNOWN_RULES) {
        this.knownRules.delete(this.knownRules.keys().next().value as string);
      }
      return read;
    }
    // A code once unregistered may be a meeting by now: only a known meeting goes on.
    const known = this.knownRules.get(roomId);
    if (known) {
      this.rulesUnavailable.warn('meeting settings not read in time: joins use the last read');
      return known;
    }
    throw new SignalingFailure(
      'unavailable',
      "this meeting's settings cannot be read right now, try again in a moment",
    );
  }

  /**
   * Whether the host banned this account (stored with the meeting) or this guest connection
   * (for the live session).
   */
  private async isBanned(
    meeting: MeetingJoinRules,
    userId: string | undefined,
    socketId: string,
  ): Promise<boolean> {
    if (userId === undefined) return this.registry.isSocketBanned(meeting.code, socketId);
    return meeting.isBanned(userId);
  }

  /**
   * The settings kept for a database outage know of a ban made here since they were read.
   * (Another instance's copy learns of it at its next read: during an outage that begins
   * right after a ban made elsewhere, that instance may still let the account in.)
   */
  private rememberBan(code: string, userId: string): void {
    const known = this.knownRules.get(code);
    if (!known) return;
    this.knownRules.set(code, {
      ...known,
      isBanned: (id) => id === userId || known.isBanned(id),
    });
  }

  private async checkEntry(
    caller: Caller,
    message: JoinCallMessage,
    meeting: MeetingJoinRules,
  ): Promise<void> {
    const isHost = caller.user?.userId === meeting.hostId;
    // The live session's state in one round of registry reads (the order of the refusals
    // below stays the documented one).
    const [banned, locked] = await Promise.all([
      this.isBanned(meeting, caller.user?.userId, caller.socketId),
      isHost ? false : this.registry.isLocked(message.roomId),
    ]);
    if (banned) throw new SignalingFailure('banned', 'the host removed you from this meeting');
    // The live session's co-hosts come and go through the lock, as its host does.
    if (
      locked &&
      !(caller.user && (await this.registry.isCohost(meeting.code, caller.user.userId)))
    ) {
      throw new SignalingFailure('meeting-locked', 'the host locked this meeting');
    }
    if (!caller.user && !meeting.allowGuests) {
      throw new SignalingFailure('guests-not-allowed', 'sign in to join this meeting');
    }
    if (!meeting.passcodeRequired || caller.user?.userId === meeting.hostId) return;
    if (message.passcode === undefined) {
      throw new SignalingFailure('passcode-required', 'this meeting needs its passcode');
    }
    // Counted before the comparison, so guesses sent at once cannot exceed the limit.
    const key = `${meeting.code}|${caller.user?.userId ?? caller.address}`;
    const decision = await this.passcodeFailures.consume(key);
    if (!decision.allowed) {
      throw new SignalingFailure(
        'rate-limited',
        `too many wrong passcodes, try again in ${Math.ceil(decision.retryAfterMs / 1000)} s`,
      );
    }
    if (!meeting.passcodeMatches(message.passcode)) {
      throw new SignalingFailure('wrong-passcode', 'wrong passcode');
    }
    await this.passcodeFailures.refund(key);
  }

  /**
   * A guest may not pass for a signed-in member: a guest whose name is a signed-in member's
   * (ignoring case) is renamed "<name> (guest)" before anyone hears of them.
   */
  private async distinguishGuest(socketId: string, members: Participant[]): Promise<void> {
    const guest = members.find((member) => member.socketId === socketId);
    // Only a signed-in member's name can be taken (its key costs a Unicode normalization).
    if (!guest || !members.some((member) => member.userId !== undefined)) return;
    const key = nameKey(guest.name);
    const taken = members.some(
      (member) => member.userId !== undefined && nameKey(member.name) === key,
    );
    if (!taken) return;
    guest.name = `${guest.name}${GUEST_SUFFIX}`;
    // The registry keeps the name shown to later joiners; failing that, the guest flag still
    // tells them apart, and the join goes on.
    await this.registry.rename(socketId, guest.name).catch((error: unknown) => {
      this.logger.warn(`could not rename a guest: ${String((error as Error).message)}`);
    });
  }

  /** Leaves the caller's room, staying connected. */
  async leave(caller: Caller): Promise<void> {
    const left = await this.registry.leave(caller.socketId);
    if (!left) {
      // Leaving the waiting room is leaving too.
      if (await this.stopWaiting(caller)) return;
      throw new SignalingFailure('not-in-room', 'not in a room');
    }
    this.notifier.unsubscribe(caller.socketId, left.roomId);
    await this.announceLeft([left], { reason: 'left' });
  }

  /**
   * The socket's connection dropped in a way it may recover from (a network blip, a proxy
   * timeout, an instance closing its connections on shutdown): it keeps its place, role and
   * media state for the grace window, and the others hear `participant-reconnecting`. In no
   * room (or without a grace window) it is gone, as on any disconnection.
   */
  async dropped(socketId: string, notAfter = Infinity): Promise<void> {
    // A signed-in socket's place ends with its token, whichever comes first.
    const until = Math.min(Date.now() + this.graceMs, notAfter);
    if (this.graceMs === 0 || until <= Date.now()) return this.disconnected(socketId);
    const marked = await this.registry.markAway(socketId, until);
    if (!marked) return this.disconnected(socketId);
    // Already back, on another instance (a drop processed late here): nothing to announce.
    if (!marked.away) return;
    const away = marked.participant;
    this.logger.debug(
      `socket ${socketId} dropped; it keeps its place for ${until - Date.now()} ms`,
    );
    this.notifier.toRoomExcept(away.roomId, socketId, 'participant-reconnecting', socketId);
    // This instance ends its time away; the heartbeat of any instance would otherwise.
    const timer = setTimeout(
      () => {
        this.awayTimers.delete(timer);
        this.expireAway().catch((error: unknown) => {
          this.logger.warn(`could not remove dropped participants: ${String(error)}`);
        });
      },
      until - Date.now() + AWAY_SWEEP_SLACK_MS,
    );
    timer.unref();
    this.awayTimers.add(timer);
  }

  /**
   * A socket recovered its connection, with its id, on this instance: back in its room (the
   * others hear `participant-reconnected`) unless its time away ran out. The room it is in.
   */
  async returned(socketId: string): Promise<string | undefined> {
    const back = await this.registry.markBack(socketId);
    if (!back) return undefined;
    if (back.wasAway) {
      this.logger.debug(`socket ${socketId} came back`);
      this.notifier.toRoomExcept(
        back.participant.roomId,
        socketId,
        'participant-reconnected',
        socketId,
      );
    }
    return back.participant.roomId;
  }

  /**
   * Dropped sockets whose place ends now (their session was signed out): they leave, each
   * announced once; one that came back meanwhile, on any instance, stays.
   */
  async endAway(socketIds: string[]): Promise<void> {
    const now = Date.now();
    for (const socketId of socketIds) await this.registry.markAway(socketId, now);
    await this.expireAway();
  }

  /** Participants whose time away ran out leave (each announced once, by any instance). */
  async expireAway(): Promise<void> {
    const expired = await this.registry.removeExpiredAway(Date.now());
    if (expired.length > 0) await this.announceLeft(expired, { reason: 'disconnected' });
  }

  /**
   * The socket is gone: its room hears that it left. `reason`: 'left' when the client closed
   * its connection itself (a deliberate leave), else 'disconnected'.
   */
  async disconnected(
    socketId: string,
    reason: 'left' | 'disconnected' = 'disconnected',
  ): Promise<void> {
    const left = await this.registry.leave(socketId);
    if (left) await this.announceLeft([left], { reason });
    else {
      const entry = await this.registry.leaveQueue(socketId);
      if (entry) await this.lobbyChanged(entry.roomId);
    }
  }

  /**
   * Relays an SDP or ICE message, unchanged, only to a member of the sender's room. Scaled
   * out, without a Redis round trip per signal: the sender's room is what this instance knows
   * of its own socket, the target's is known here (connected here) or was confirmed by the
   * registry a moment ago; the target's instance delivers it only while the target is still
   * in that room. Anything else asks the registry.
   */
  async relaySignal(caller: Caller, message: SignalMessage): Promise<void> {
    const target = message.targetSocketId;
    const room = this.notifier.localRoomOf(caller.socketId);
    const targetRoom = this.notifier.localRoomOf(target) ?? this.confirmedRooms.get(target);
    if (room === undefined || targetRoom !== room) {
      if (!(await this.sameRoom(caller.socketId, target))) {
        this.confirmedRooms.forget(target);
        throw new SignalingFailure('target-not-in-room', 'the target is not in your room');
      }
      if (room === undefined) {
        // In the registry's room but in no room's channel here (an instant of a join or a
        // recovery): as the registry says.
        this.notifier.toSocket(target, 'signal', caller.socketId, message.payload);
        this.metrics.signalsRelayed.inc();
        return;
      }
      this.confirmedRooms.confirm(target, room);
    }
    this.notifier.toMember(room, target, 'signal', caller.socketId, message.payload);
    this.metrics.signalsRelayed.inc();
  }

  /**
   * Whether two sockets share a room: the registry's answer, or, while Redis cannot be
   * reached, this instance's own knowledge of its sockets (both connected here, both in the
   * same room's channel), so that a call on one instance goes on through an outage.
   */
  private async sameRoom(socketA: string, socketB: string): Promise<boolean> {
    try {
      return await this.registry.inSameRoom(socketA, socketB);
    } catch (error) {
      if (!isRedisUnavailableError(error)) throw error;
      const room = this.notifier.localRoomOf(socketA);
      if (room === undefined || room !== this.notifier.localRoomOf(socketB)) throw error;
      return true;
    }
  }

  /**
   * While Redis cannot be reached: a participant connected here as this instance last saw it,
   * if it is still in that room's channel here (broadcasts then reach this instance's members
   * only). Otherwise the registry's error stands.
   */
  private locally(socketId: string, error: unknown): Participant {
    if (!isRedisUnavailableError(error)) throw error;
    const known = this.registry.lastKnown(socketId);
    if (!known || this.notifier.localRoomOf(socketId) !== known.roomId) throw error;
    return known;
  }

  /** Delivers a message to the whole room, the sender included, then stores it. */
  async sendChat(caller: Caller, message: ChatMessage): Promise<void> {
    const participant = await this.registry
      .participant(caller.socketId)
      .catch((error: unknown) => this.locally(caller.socketId, error));
    if (!participant) throw new SignalingFailure('not-in-room', 'join a room before chatting');
    // The name everyone sees in the room, whatever a client puts in the message.
    const senderName = participant.name;
    // Strictly after any join boundary already taken here: a message sent in the very
    // millisecond a late joiner subscribed is live for it, not replayed as well.
    const sentAt = new Date(Math.max(Date.now(), this.lastBoundary + 1));
    // Taken for storage first: when too many wait to be stored, it is refused, not delivered.
    const taken = this.chat.record({
      room: participant.roomId,
      text: message.text,
      senderName,
      senderSocketId: caller.socketId,
      sentAt,
      ...(caller.user ? { userId: caller.user.userId } : {}),
    });
    if (taken === false) {
      throw new SignalingFailure('rate-limited', 'chat is busy, send your message again shortly');
    }
    this.lastSentAt = Math.max(this.lastSentAt, sentAt.getTime());
    const roomId = participant.roomId;
    // Once it is in the room's recent history (scaled out, a Redis round trip): whoever did
    // not hear it live finds it there.
    const delivery = taken.then(() =>
      this.notifier.toRoomDelivered(
        roomId,
        'chat-message',
        message.text,
        senderName,
        caller.socketId,
        sentAt.getTime(),
      ),
    );
    let inFlight = this.chatInFlight.get(roomId);
    if (!inFlight) this.chatInFlight.set(roomId, (inFlight = new Set()));
    inFlight.add(delivery);
    void delivery.finally(() => {
      inFlight.delete(delivery);
      if (inFlight.size === 0 && this.chatInFlight.get(roomId) === inFlight)
        this.chatInFlight.delete(roomId);
    });
    this.metrics.chatMessages.inc();
    // Answered once delivered (scaled out: in the room's recent history and published), so a
    // sender told "ok" knows that whoever joins from then on, on any instance, gets it.
    await delivery.catch(() => undefined);
  }

  /** Records and relays the caller's microphone, camera and screen-sharing state. */
  async setMedia(caller: Caller, message: MediaStateMessage): Promise<void> {
    const roomId = await this.registry.setMedia(caller.socketId, message.media);
    if (roomId === undefined) throw new SignalingFailure('not-in-room', 'join a room first');
    this.notifier.toRoomExcept(
      roomId,
      caller.socketId,
      'media-state',
      caller.socketId,
      message.media,
    );
  }

  async raiseHand(caller: Caller, message: RaiseHandMessage): Promise<void> {
    const roomId = await this.registry.setHandRaised(caller.socketId, message.raised);
    if (roomId === undefined) throw new SignalingFailure('not-in-room', 'join a room first');
    this.notifier.toRoomExcept(
      roomId,
      caller.socketId,
      'raise-hand',
      caller.socketId,
      message.raised,
    );
  }

  /**
   * Host only: makes a member a co-host for the live session, or a participant again. For a
   * signed-in member the role goes with the account: its other devices in the call change
   * too, and it comes back (or joins from another device) with it until the session ends.
   */
  async setRole(caller: Caller, message: SetRoleMessage): Promise<void> {
    const { actor, target } = await this.hostAction(caller, message.targetSocketId, ['host']);
    if (target.role === 'host') throw new SignalingFailure('not-allowed', 'a host stays a host');
    const { userId } = target;
    if (userId) await this.registry.grantCohost(actor.roomId, userId, message.role === 'cohost');
    const members = await this.registry.participants(actor.roomId);
    const targets = userId
      ? members.filter((member) => member.userId === userId && member.role !== 'host')
      : [target];
    const waiting =
      message.role === 'cohost'
        ? (await this.registry.waiting(actor.roomId)).map(toLobbyEntry)
        : [];
    for (const changed of targets) {
      if (changed.role === message.role && changed.socketId !== target.socketId) continue;
      await this.registry.setRole(changed.socketId, message.role);
      this.audit(actor, 'set-role', changed, message.role);
      if (inSession(changed)) this.recorder?.roleChanged(changed, message.role);
      this.notifier.toRoom(actor.roomId, 'role-changed', changed.socketId, message.role);
      // A new co-host sees who is waiting at once, not at the next change.
      if (message.role === 'cohost')
        this.notifier.toSocket(changed.socketId, 'lobby-updated', waiting);
    }
  }

  /** Host or co-host: asks one member (not a host) to mute. */
  async muteParticipant(caller: Caller, message: TargetMessage): Promise<void> {
    const { actor, target } = await this.hostAction(caller, message.targetSocketId, MODERATORS);
    if (target.role === 'host') throw new SignalingFailure('not-allowed', 'hosts are not muted');
    this.audit(actor, 'mute-participant', target);
    this.notifier.toSocket(target.socketId, 'mute-request');
  }

  /** Host or co-host: asks every member but the hosts (and the caller) to mute. */
  async muteAll(caller: Caller): Promise<void> {
    const actor = await this.moderator(caller, MODERATORS);
    this.audit(actor, 'mute-all');
    for (const member of await this.registry.participants(actor.roomId)) {
      if (member.role !== 'host' && member.socketId !== actor.socketId) {
        this.notifier.toSocket(member.socketId, 'mute-request');
      }
    }
  }

  /** Host or co-host: takes a member (never a host) out of the call; its socket stays. */
  async removeParticipant(caller: Caller, message: RemoveMessage): Promise<void> {
    const { actor, target } = await this.hostAction(caller, message.targetSocketId, MODERATORS);
    if (target.role === 'host') {
      throw new SignalingFailure('not-allowed', 'a host cannot be removed');
    }
    if (message.ban) {
      // An account: stored with the meeting. A guest: its identity (this connection) for the
      // live session; nothing stops it from coming back as a new guest (lock the meeting).
      if (target.userId) {
        await this.meetings.banUser(actor.roomId, target.userId);
        this.rememberBan(actor.roomId, target.userId);
      } else await this.registry.banSocket(actor.roomId, target.socketId);
    }
    const left = await this.registry.leave(target.socketId);
    if (!left) throw new SignalingFailure('not-found', 'that participant is not in the call');
    this.audit(actor, message.ban ? 'remove-and-ban' : 'remove-participant', target);
    // Removed, a co-host is one no more: it would come back through the lock and the
    // waiting room, a co-host again.
    if (target.userId) await this.registry.grantCohost(actor.roomId, target.userId, false);
    const removed = [left];
    // A banned account is out on every device: in the call and in the waiting room.
    if (message.ban && target.userId) {
      for (const member of await this.registry.participants(actor.roomId)) {
        if (member.userId !== target.userId) continue;
        const out = await this.registry.leave(member.socketId);
        if (out?.roomId === actor.roomId) removed.push(out);
      }
      let queueChanged = false;
      for (const entry of await this.registry.waiting(actor.roomId)) {
        if (entry.userId !== target.userId) continue;
        if (await this.registry.dequeue(actor.roomId, entry.socketId)) {
          this.notifier.toSocket(entry.socketId, 'removed', { banned: true });
          queueChanged = true;
        }
      }
      if (queueChanged) await this.lobbyChanged(actor.roomId);
    }
    for (const out of removed) {
      this.notifier.unsubscribe(out.socketId, out.roomId);
      this.notifier.toSocket(out.socketId, 'removed', { banned: message.ban });
    }
    await this.announceLeft(removed, { reason: 'removed', removedBy: actor, banned: message.ban });
  }

  /** Host only: everyone is out of the call; the next join starts a new live session. */
  async endMeeting(caller: Caller): Promise<void> {
    const actor = await this.moderator(caller, ['host']);
    this.audit(actor, 'end-meeting');
    await this.endSession(actor.roomId);
  }

  /** Everyone in a room's call and waiting room gets `meeting-ended` and is out. */
  private async endSession(roomId: string): Promise<void> {
    const ended: Participant[] = [];
    for (const member of await this.registry.participants(roomId)) {
      const left = await this.registry.leave(member.socketId);
      if (!left || left.roomId !== roomId) continue;
      ended.push(left);
      this.notifier.toSocket(left.socketId, 'meeting-ended');
      this.notifier.unsubscribe(left.socketId, left.roomId);
    }
    await this.recordDepartures(ended, { reason: 'meeting-ended' });
    for (const waiting of await this.registry.waiting(roomId)) {
      if (await this.registry.dequeue(roomId, waiting.socketId)) {
        this.notifier.toSocket(waiting.socketId, 'meeting-ended');
      }
    }
  }

  /**
   * Host or co-host: locks the live session (nobody new joins but its hosts and co-hosts),
   * changes the waiting room and asks joiners to start muted (both stored with the meeting).
   * The room hears the meeting's new state.
   */
  async updateMeeting(caller: Caller, message: UpdateMeetingMessage): Promise<MeetingState> {
    const actor = await this.moderator(caller, MODERATORS);
    const meeting = await this.meetings.joinRules(actor.roomId);
    if (!meeting) throw new SignalingFailure('not-found', 'this meeting no longer exists');
    if (message.locked !== undefined) await this.registry.setLocked(actor.roomId, message.locked);
    if (message.muteOnEntry !== undefined || message.waitingRoom !== undefined) {
      await this.meetings.updateSettings(
        meeting.hostId,
        meeting.code,
        {
          ...(message.muteOnEntry !== undefined ? { muteOnEntry: message.muteOnEntry } : {}),
          ...(message.waitingRoom !== undefined ? { waitingRoom: message.waitingRoom } : {}),
        },
        { quiet: true },
      );
    }
    this.audit(actor, 'update-meeting', undefined, JSON.stringify(message));
    return this.applySettings(actor, {
      ...meeting,
      ...(message.muteOnEntry !== undefined ? { muteOnEntry: message.muteOnEntry } : {}),
      ...(message.waitingRoom !== undefined ? { waitingRoom: message.waitingRoom } : {}),
    });
  }

  /**
   * A meeting's settings changed (by a host in the call, or over REST): the room hears its
   * new state, waiting guests are turned away where guests are no longer allowed, and whoever
   * no longer has to wait (the waiting room turned off, or for guests only) is let in.
   */
  private async applySettings(actor: Actor, meeting: MeetingJoinRules): Promise<MeetingState> {
    const state: MeetingState = {
      locked: await this.registry.isLocked(meeting.code),
      muteOnEntry: meeting.muteOnEntry,
      waitingRoom: meeting.waitingRoom,
    };
    this.notifier.toRoom(meeting.code, 'meeting-updated', state);
    if (!meeting.allowGuests) {
      let queueChanged = false;
      for (const entry of await this.registry.waiting(meeting.code)) {
        if (
          entry.userId === undefined &&
          (await this.registry.dequeue(meeting.code, entry.socketId))
        ) {
          this.notifier.toSocket(entry.socketId, 'denied');
          queueChanged = true;
        }
      }
      if (queueChanged) await this.lobbyChanged(meeting.code);
    }
    await this.admitWaiting(
      actor,
      meeting,
      async (entry) => !(await this.mustWait(entry.userId, meeting)),
    );
    return state;
  }

  /** A host changed a meeting's settings over REST: its live session follows. */
  private async settingsChanged(code: string, hostId: string): Promise<void> {
    const meeting = await this.meetings.joinRules(code);
    if (meeting) await this.applySettings({ roomId: code, userId: hostId }, meeting);
  }

  /**
   * The caller, in a room, with one of `roles` (so only in a registered meeting). Anyone else,
   * in the room or not, is `not-allowed`.
   */
  private async moderator(caller: Caller, roles: readonly Role[]): Promise<Participant> {
    const actor = await this.registry.participant(caller.socketId);
    if (!actor) {
      throw new SignalingFailure(
        'not-allowed',
        `only a ${roles.join(' or ')} in the call may do that`,
      );
    }
    if (!roles.includes(actor.role)) {
      throw new SignalingFailure('not-allowed', `only a ${roles.join(' or ')} may do that`);
    }
    return actor;
  }

  /** A moderator and the member of its room it acts on. */
  private async hostAction(
    caller: Caller,
    targetSocketId: string,
    roles: readonly Role[],
  ): Promise<{ actor: Participant; target: Participant }> {
    const actor = await this.moderator(caller, roles);
    const target = await this.registry.participant(targetSocketId);
    if (!target || target.roomId !== actor.roomId) {
      throw new SignalingFailure('not-found', 'that participant is not in the call');
    }
    return { actor, target };
  }

  /** Every host action, at info level: who did what to whom. */
  private audit(actor: Actor, action: string, target?: Participant, detail?: string): void {
    const on = target
      ? ` on ${target.socketId}${target.userId ? ` (user ${target.userId})` : ''}`
      : '';
    const by = [actor.socketId, actor.userId ? `(user ${actor.userId})` : undefined]
      .filter((part) => part !== undefined)
      .join(' ');
    this.logger.log(
      `${action} by ${by || 'the host'}${on} in ${actor.roomId}${detail ? `: ${detail}` : ''}`,
    );
  }

  /** Stores what is still pending (chat), within a time limit: the last step before shutdown. */
  async flush(): Promise<void> {
    await Promise.all([this.chat.flush(), this.recorder?.flush()]);
  }

  /** Who is in a room now. */
  async participants(roomId: string): Promise<ParticipantView[]> {
    return (await this.registry.participants(roomId)).map(toParticipantView);
  }

  /** Rooms with participants and participants in rooms, across every instance. */
  roomStats(): Promise<RoomStats> {
    return this.registry.stats();
  }

  /**
   * Tells the room that members left: to the members the registry lists after the departures
   * (like user-joined), so a member whose join raced a departure on another instance hears it
   * even before its own Socket.IO subscription exists there.
   */
  private async announceLeft(departed: Participant[], how: Departure): Promise<void> {
    const now = Date.now();
    // Known to have left: signals to them ask the registry again, here and, told at once, on
    // the other instances (until that word arrives, their signals are dropped on delivery).
    for (const left of departed) this.confirmedRooms.forget(left.socketId);
    this.notifier.departed(departed.map((left) => left.socketId));
    for (const roomId of new Set(departed.map((left) => left.roomId))) {
      const members = (await this.registry.participants(roomId)).map((member) => member.socketId);
      if (members.length === 0) this.chat.forget(roomId);
      const here = departed.filter((left) => left.roomId === roomId);
      for (const left of here) {
        this.logger.debug(`socket ${left.socketId} left its room`);
        this.notifier.toSockets(members, 'user-left', left.socketId, now - left.joinedAt);
      }
      this.recordLeft(here, how, members.length === 0);
    }
  }

  /** Records visits that ended, for rooms whose remaining members are not known yet. */
  private async recordDepartures(departed: Participant[], how: Departure): Promise<void> {
    if (!this.recorder || !departed.some(inSession)) return;
    for (const roomId of new Set(departed.map((left) => left.roomId))) {
      const empty = (await this.registry.participants(roomId)).length === 0;
      this.recordLeft(
        departed.filter((left) => left.roomId === roomId),
        how,
        empty,
      );
    }
  }

  /**
   * The visits of one room's departed members ended (those of a registered meeting's
   * session); the last of them ends the session when nobody is left.
   */
  private recordLeft(departed: Participant[], how: Departure, roomEmpty: boolean): void {
    if (!this.recorder) return;
    const visits = departed.filter(inSession);
    const now = Date.now();
    visits.forEach((left, index) => {
      this.recorder?.left(left, how.reason, Math.min(left.lastSeenAt ?? now, now), {
        sessionEnded: roomEmpty && index === visits.length - 1,
        ...(how.removedBy ? { removedBy: how.removedBy, banned: how.banned ?? false } : {}),
      });
    });
  }
}
