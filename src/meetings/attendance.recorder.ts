import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, STATES, Types } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AppConfig } from '../config/configuration.js';
import { isDatabaseUnavailableError, isDuplicateKeyError } from '../database/database-errors.js';
import { ThrottledLog } from '../common/throttled-log.js';
import type {
  CallRecorder,
  RecordedMeeting,
  SessionParticipant,
  VisitEndReason,
} from '../signaling/call/call-recorder.js';
import type { Role } from '../signaling/protocol/events.js';
import {
  type Participant,
  ROOM_REGISTRY,
  type RoomRegistry,
  type WaitingEntry,
} from '../signaling/rooms/room-registry.js';
import { type WebhookEvent, webhookEvent } from '../webhooks/webhook-event.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.js';
import { Attendance } from './schemas/attendance.schema.js';
import { MeetingHistoryEntry } from './schemas/meeting-history-entry.schema.js';
import { Meeting } from './schemas/meeting.schema.js';
import { MeetingSession } from './schemas/meeting-session.schema.js';

/** Steps written at once; more wait their turn. */
const CONCURRENCY = 4;
/** Steps waiting to be written, at most: beyond, the oldest are dropped (and counted). */
const MAX_PENDING = 20_000;
/** A step that fails waits 0.5 s, 1 s, 2 s, … up to 30 s before its next try. */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;
/** A step the database refuses (rather than being away) is given up after this many tries. */
const MAX_TRIES_IF_REACHABLE = 5;
/** Shutdown waits this long for what is pending. */
const FLUSH_WAIT_MS = 5_000;
/** Titles of this instance's live sessions, for the events of their visits. */
const MAX_TITLES = 10_000;
/**
 * Without REDIS_URL nobody else can close this instance's visits when it stops: it says it
 * is alive every ALIVE_EVERY_MS in the database (ALIVE_COLLECTION), and one silent for
 * DEAD_AFTER_MS (a crash, SIGKILL) or stopped is dead: its open visits are closed at its last
 * sign of life, by the next instance that starts (or any other sharing the database).
 */
const ALIVE_COLLECTION = 'attendance_instances';
const ALIVE_EVERY_MS = 2_000;
const DEAD_AFTER_MS = 10_000;
/** Shutdown waits this long, at most, to record that this instance stopped. */
const STOPPED_WAIT_MS = 1_000;

/** A session document as stored (with the fields the recorder keeps outside the schema). */
interface StoredSession {
  _id: Types.ObjectId;
  code?: string;
  title?: string;
  startedAt?: Date;
  endedAt?: Date;
  peakParticipants?: number;
  /** The latest departure of the session: its end is never earlier. */
  lastLeftAt?: Date;
  /** Without REDIS_URL: the instance that holds the session (its visits die with it). */
  instance?: string;
}

/** An instance's sign of life (without REDIS_URL). */
interface AliveRecord {
  _id: string;
  aliveAt: Date;
  /** Set on a clean shutdown: dead at once. */
  stoppedAt?: Date;
}

/** An open visit as stored, closed by a sweep. */
interface StoredVisit {
  sessionId: Types.ObjectId;
  code: string;
  socketId: string;
  joinedAt: Date;
  name: string;
  userId?: Types.ObjectId;
  role: Role;
}

interface Step {
  describe: string;
  run: () => Promise<void>;
  tries: number;
  /** Told when the step is dropped unrun (the queue full). */
  dropped?: () => void;
}

function participantData(participant: Participant): Record<string, unknown> {
  return {
    socketId: participant.socketId,
    name: participant.name,
    userId: participant.userId ?? null,
    guest: participant.userId === undefined,
    role: participant.role,
  };
}

function visitKey(participant: SessionParticipant): Record<string, unknown> {
  return {
    sessionId: new Types.ObjectId(participant.sessionId),
    socketId: participant.socketId,
    joinedAt: new Date(participant.joinedAt),
  };
}

/** Session ids come from the registry (Redis): only ObjectId hex strings are ours. */
function validSession(participant: SessionParticipant): boolean {
  return /^[0-9a-f]{24}$/.test(participant.sessionId);
}

/** The participant of a stored visit (for closing it where its instance cannot). */
function participantOf(visit: StoredVisit): SessionParticipant {
  return {
    socketId: visit.socketId,
    name: visit.name,
    ...(visit.userId ? { userId: visit.userId.toHexString() } : {}),
    role: visit.role,
    joinedAt: visit.joinedAt.getTime(),
    media: null,
    handRaised: false,
    roomId: visit.code,
    sessionId: visit.sessionId.toHexString(),
  };
}

/** The id of one visit in event facts: session, socket and join time. */
function visitFact(participant: SessionParticipant): string {
  return `${participant.sessionId}/${participant.socketId}/${participant.joinedAt}`;
}

/**
 * Records sessions, visits and users' history for the call (the CallRecorder port), and the
 * webhook events they make, in the same step: a step writes the record and its events to
 * the outbox, and is retried as a whole until both are stored. Every write is an idempotent
 * upsert keyed by the session and visit, so records of one visit written by several
 * instances, in any order, or twice, make one document; event ids are derived from the
 * facts, so an event recorded twice is sent once.
 *
 * Nothing here slows the call: methods queue a step and return. The queue is bounded (the
 * oldest steps are dropped beyond it, with a warning), retried with backoff while the database
 * is away, and flushed (within a time limit) on shutdown.
 *
 * Scaled out (REDIS_URL), a dead instance's visits are closed by the survivors' heartbeat
 * sweep, and a stopping instance's sockets resume elsewhere. A single instance (no REDIS_URL)
 * closes its own visits when it stops cleanly (`flush`), and marks itself alive in the
 * database meanwhile, so that after a crash the next instance to start closes them at the
 * crashed one's last sign of life.
 */
@Injectable()
export class AttendanceRecorder implements CallRecorder, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Attendance');
  private readonly failures = new ThrottledLog(this.logger);
  private readonly aliveFailures = new ThrottledLog(this.logger);
  private readonly queue: Step[] = [];
  private running = 0;
  private dropped = 0;
  private idle: (() => void)[] = [];
  private readonly titles = new Map<string, string>();
  /** Scaled out: the cluster's heartbeat closes a dead instance's visits, not this. */
  private readonly clustered: boolean;
  private readonly instanceId = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  /** Without REDIS_URL: the visits open on this instance (all of them), by visit. */
  private readonly open = new Map<string, SessionParticipant>();
  private aliveTimer?: NodeJS.Timeout;
  private sweeping = false;
  private swept = false;
  private stopping = false;

  constructor(
    @InjectModel(MeetingSession.name) private readonly sessions: Model<MeetingSession>,
    @InjectModel(Attendance.name) private readonly attendance: Model<Attendance>,
    @InjectModel(MeetingHistoryEntry.name) private readonly history: Model<MeetingHistoryEntry>,
    @InjectModel(Meeting.name) private readonly meetings: Model<Meeting>,
    private readonly outbox: WebhookOutbox,
    config: ConfigService<AppConfig, true>,
    @Optional() @Inject(ROOM_REGISTRY) private readonly registry?: RoomRegistry,
  ) {
    this.clustered = config.get('redis', { infer: true }) !== undefined;
  }

  onApplicationBootstrap(): void {
    this.tick();
    this.aliveTimer = setInterval(() => this.tick(), ALIVE_EVERY_MS);
    this.aliveTimer.unref();
  }

  /**
   * Without REDIS_URL: says this instance is alive, and closes the visits of instances that
   * stopped or died (at start-up: those of the instance this one replaces). Scaled out: only
   * once, for what a single instance left open before the deployment scaled out.
   */
  private tick(): void {
    // Connecting still (or closing): the next tick.
    if (this.stopping || this.sessions.db.readyState !== STATES.connected) return;
    if (!this.clustered) void this.sayAlive();
    if (!this.clustered || !this.swept) this.sweepDeadInstances();
  }

  onModuleDestroy(): void {
    clearInterval(this.aliveTimer);
  }

  newSessionId(): string {
    return new Types.ObjectId().toHexString();
  }

  entered(
    meeting: RecordedMeeting,
    participant: SessionParticipant,
    roomSize: number,
    first: boolean,
  ): void {
    if (!validSession(participant)) return;
    if (meeting.title) this.rememberTitle(participant.sessionId, meeting.title);
    if (!this.clustered) this.open.set(visitFact(participant), { ...participant });
    const sessionId = new Types.ObjectId(participant.sessionId);
    const joinedAt = new Date(participant.joinedAt);
    const meetingData = { code: meeting.code, ...(meeting.title ? { title: meeting.title } : {}) };
    this.enqueue(`the visit of ${participant.socketId}`, async () => {
      await this.sessions
        .updateOne(
          { _id: sessionId },
          {
            $setOnInsert: { code: meeting.code },
            // $set, not $setOnInsert: a departure recorded first may have created the session.
            ...(meeting.title || !this.clustered
              ? {
                  $set: {
                    ...(meeting.title ? { title: meeting.title } : {}),
                    ...(this.clustered ? {} : { instance: this.instanceId }),
                  },
                }
              : {}),
            $min: { startedAt: joinedAt },
            $max: { peakParticipants: roomSize },
          },
          // `instance` is the recorder's own field, outside the schema.
          { upsert: true, strict: false },
        )
        .exec();
      await this.attendance
        .updateOne(
          visitKey(participant),
          {
            $setOnInsert: {
              code: meeting.code,
              name: participant.name,
              role: participant.role,
              ...(participant.userId ? { userId: new Types.ObjectId(participant.userId) } : {}),
            },
          },
          { upsert: true },
        )
        .exec();
      await this.recordInHistory(participant, meeting.code, { date: joinedAt }, meeting.title);
      const events: WebhookEvent[] = [];
      if (first) {
        events.push(
          webhookEvent('meeting.started', participant.sessionId, joinedAt, {
            meeting: meetingData,
            session: { id: participant.sessionId, startedAt: joinedAt.toISOString() },
          }),
        );
      }
      events.push(
        webhookEvent('participant.joined', visitFact(participant), joinedAt, {
          meeting: meetingData,
          sessionId: participant.sessionId,
          participant: { ...participantData(participant), joinedAt: joinedAt.toISOString() },
        }),
      );
      await this.outbox.add(events);
    });
  }

  left(
    participant: SessionParticipant,
    reason: VisitEndReason,
    leftAtMs: number,
    details: { sessionEnded: boolean; removedBy?: Participant; banned?: boolean },
  ): void {
    if (!validSession(participant)) return;
    this.open.delete(visitFact(participant));
    const leftAt = new Date(Math.max(leftAtMs, participant.joinedAt));
    const title = this.titles.get(participant.sessionId);
    if (details.sessionEnded) this.titles.delete(participant.sessionId);
    this.enqueue(`the departure of ${participant.socketId}`, () =>
      this.recordDeparture(participant, reason, leftAt, details, title),
    );
  }

  roleChanged(participant: SessionParticipant, role: Role): void {
    if (!validSession(participant)) return;
    const open = this.open.get(visitFact(participant));
    if (open) this.open.set(visitFact(participant), { ...open, role });
    this.enqueue(`the role of ${participant.socketId}`, async () => {
      await this.attendance
        .updateOne(
          visitKey(participant),
          {
            $set: { role },
            $setOnInsert: {
              code: participant.roomId,
              name: participant.name,
              ...(participant.userId ? { userId: new Types.ObjectId(participant.userId) } : {}),
            },
          },
          { upsert: true },
        )
        .exec();
    });
  }

  waiting(entry: WaitingEntry, sessionId: string | undefined): void {
    if (!this.outbox.enabled) return;
    const since = new Date(entry.since);
    const known = sessionId === undefined ? undefined : this.titles.get(sessionId);
    this.enqueue(`the wait of ${entry.socketId}`, async () => {
      // The meeting's title: known here while its session is, else one read (lobbies are rare).
      const title =
        known ??
        (
          await this.meetings
            .findOne({ code: entry.roomId })
            .select('title')
            .lean<Pick<Meeting, 'title'>>()
            .exec()
        )?.title;
      await this.outbox.add([
        webhookEvent('lobby.waiting', `${entry.roomId}/${entry.socketId}/${entry.since}`, since, {
          meeting: { code: entry.roomId, ...(title ? { title } : {}) },
          sessionId: sessionId ?? null,
          waiting: {
            socketId: entry.socketId,
            name: entry.name,
            userId: entry.userId ?? null,
            guest: entry.userId === undefined,
            since: since.toISOString(),
          },
        }),
      ]);
    });
  }

  /**
   * The last step before shutdown. A single instance (no REDIS_URL) first closes the visits
   * still open here: nobody else could (scaled out, its sockets resume on another instance
   * within the grace window, and a dead instance's are the cluster's to close). Then what is
   * pending is written, within a time limit.
   */
  async flush(): Promise<void> {
    if (!this.clustered && !this.stopping) {
      this.stopping = true;
      clearInterval(this.aliveTimer);
      await this.closeOpenVisits();
    }
    const written = await this.settled();
    // Not when the database is away (shutdown has a deadline): the visits it could not take
    // are closed by the next instance, once this one's last sign of life is old enough.
    if (!this.clustered && written) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.sayStopped(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, STOPPED_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
  }

  /** Closes every visit open on this instance, as disconnected, ending their sessions. */
  private async closeOpenVisits(): Promise<void> {
    if (this.open.size === 0) return;
    const now = Date.now();
    const bySession = new Map<string, SessionParticipant[]>();
    for (const visit of this.open.values()) {
      bySession.set(visit.sessionId, [...(bySession.get(visit.sessionId) ?? []), visit]);
    }
    this.logger.log(`closing the ${this.open.size} visits open on this instance`);
    for (const visits of bySession.values()) {
      for (const [index, visit] of visits.entries()) {
        // As the registry has it now: its role, and when it was last there (it may have
        // dropped before, and been waited for since).
        const current = await this.registry?.participant(visit.socketId).catch(() => undefined);
        const same = current?.sessionId === visit.sessionId && current.joinedAt === visit.joinedAt;
        const participant = same ? { ...visit, role: current.role } : visit;
        const lastSeenAt = same ? (current.lastSeenAt ?? now) : now;
        this.left(participant, 'disconnected', Math.min(lastSeenAt, now), {
          sessionEnded: index === visits.length - 1,
        });
      }
    }
  }

  /** Waits (within FLUSH_WAIT_MS) until every step is written: whether they were. */
  private async settled(): Promise<boolean> {
    if (this.queue.length === 0 && this.running === 0) return true;
    const settled = new Promise<void>((resolve) => this.idle.push(resolve));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), FLUSH_WAIT_MS);
    });
    const outcome = await Promise.race([settled, late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.logger.warn(
        `${this.queue.length + this.running} attendance records were not written before shutdown`,
      );
    }
    return outcome !== 'late';
  }

  /** One visit's end, its session's (its last visit) and their events, in one step. */
  private async recordDeparture(
    participant: SessionParticipant,
    reason: VisitEndReason,
    leftAt: Date,
    details: { sessionEnded: boolean; removedBy?: Participant; banned?: boolean },
    knownTitle: string | undefined,
  ): Promise<void> {
    const sessionId = new Types.ObjectId(participant.sessionId);
    const joinedAt = new Date(participant.joinedAt);
    const code = participant.roomId;
    await this.attendance
      .updateOne(
        visitKey(participant),
        {
          $set: { leftAt, reason, role: participant.role },
          $setOnInsert: {
            code,
            name: participant.name,
            ...(participant.userId ? { userId: new Types.ObjectId(participant.userId) } : {}),
          },
        },
        { upsert: true },
      )
      .exec();
    const session = await this.sessionLeft(sessionId, code, joinedAt, leftAt, details.sessionEnded);
    // The title this instance saw at the join, else the session's (joined elsewhere).
    const title = knownTitle ?? session?.title;
    const meetingData = { code, ...(title ? { title } : {}) };
    await this.recordInHistory(participant, code, { date: joinedAt, leftAt }, title);
    const durationMs = leftAt.getTime() - joinedAt.getTime();
    const visit = {
      ...participantData(participant),
      joinedAt: joinedAt.toISOString(),
      leftAt: leftAt.toISOString(),
      durationMs,
    };
    const events: WebhookEvent[] = [];
    if (details.removedBy) {
      events.push(
        webhookEvent('participant.removed', visitFact(participant), leftAt, {
          meeting: meetingData,
          sessionId: participant.sessionId,
          participant: visit,
          removedBy: participantData(details.removedBy),
          banned: details.banned ?? false,
        }),
      );
    }
    events.push(
      webhookEvent('participant.left', visitFact(participant), leftAt, {
        meeting: meetingData,
        sessionId: participant.sessionId,
        participant: visit,
        reason,
      }),
    );
    if (details.sessionEnded) {
      events.push(
        this.endedEvent(
          session,
          { code, title, startedAt: joinedAt, endedAt: leftAt },
          reason === 'meeting-ended' ? 'ended-by-host' : 'everyone-left',
        ),
      );
    }
    await this.outbox.add(events);
  }

  /**
   * Every departure keeps the session's latest departure (`lastLeftAt`); the last one ends it
   * at the latest of them all, and one recorded after the end (by another instance, or a dead
   * instance's visit closed late) moves the end later: `endedAt` is never before a visit's
   * `leftAt`. One atomic update (a pipeline), whatever the order the departures are written in.
   */
  private async sessionLeft(
    sessionId: Types.ObjectId,
    code: string,
    joinedAt: Date,
    leftAt: Date,
    ended: boolean,
  ): Promise<StoredSession | null> {
    const isDate = (field: string) => ({ $eq: [{ $type: field }, 'date'] });
    // $ifNull around each field: $max and $min ignore a missing one in MongoDB, not everywhere.
    const latest = (...values: unknown[]) => ({ $max: values });
    return this.sessions.collection.findOneAndUpdate(
      { _id: sessionId },
      [
        {
          $set: {
            code: { $ifNull: ['$code', { $literal: code }] },
            startedAt: { $min: [{ $ifNull: ['$startedAt', joinedAt] }, joinedAt] },
            peakParticipants: latest({ $ifNull: ['$peakParticipants', 1] }, 1),
            lastLeftAt: latest({ $ifNull: ['$lastLeftAt', leftAt] }, leftAt),
            endedAt: ended
              ? latest(
                  { $ifNull: ['$endedAt', leftAt] },
                  { $ifNull: ['$lastLeftAt', leftAt] },
                  leftAt,
                )
              : { $cond: [isDate('$endedAt'), latest('$endedAt', leftAt), '$$REMOVE'] },
          },
        },
      ],
      { upsert: true, returnDocument: 'after' },
    );
  }

  /** `meeting.ended`, from the session as stored (`fallback` when it could not be read). */
  private endedEvent(
    session: StoredSession | null,
    fallback: { code: string; title?: string; startedAt: Date; endedAt: Date },
    reason: 'ended-by-host' | 'everyone-left',
  ): WebhookEvent {
    const startedAt = session?.startedAt ?? fallback.startedAt;
    const endedAt = session?.endedAt ?? fallback.endedAt;
    const title = session?.title ?? fallback.title;
    const id = session?._id.toHexString() ?? '';
    return webhookEvent('meeting.ended', id, endedAt, {
      meeting: { code: session?.code ?? fallback.code, ...(title ? { title } : {}) },
      session: {
        id,
        startedAt: startedAt.toISOString(),
        endedAt: endedAt.toISOString(),
        durationMs: endedAt.getTime() - startedAt.getTime(),
        peakParticipants: session?.peakParticipants ?? 1,
      },
      reason,
    });
  }

  /** Without REDIS_URL: this instance is alive (its visits are open for real). */
  private async sayAlive(): Promise<void> {
    try {
      await this.alive()
        .updateOne({ _id: this.instanceId }, { $set: { aliveAt: new Date() } }, { upsert: true })
        .then(() => undefined);
    } catch (error) {
      this.aliveFailures.warn(
        `could not record that this instance is alive: ${String((error as Error).message)}`,
      );
    }
  }

  /** Stopped cleanly: its visits are closed (or, if late, the next instance closes them now). */
  private async sayStopped(): Promise<void> {
    try {
      const now = new Date();
      await this.alive().updateOne(
        { _id: this.instanceId },
        { $set: { aliveAt: now, stoppedAt: now } },
        { upsert: true },
      );
    } catch (error) {
      this.logger.warn(
        `could not record that this instance stopped: ${String((error as Error).message)}`,
      );
    }
  }

  private alive() {
    return this.sessions.db.collection<AliveRecord>(ALIVE_COLLECTION);
  }

  /** Queues a sweep of dead instances' visits, unless one is queued or running. */
  private sweepDeadInstances(): void {
    if (this.sweeping || this.stopping) return;
    this.sweeping = true;
    this.enqueue(
      'the visits of stopped instances',
      async () => {
        try {
          await this.closeDeadInstances();
          this.swept = true;
        } finally {
          this.sweeping = false;
        }
      },
      // Dropped unrun (the queue full): the next tick queues it again.
      () => (this.sweeping = false),
    );
  }

  /**
   * The sessions of instances that stopped or fell silent (a single instance's, without
   * REDIS_URL): their open visits end as disconnected at the instance's last sign of life,
   * then the sessions end; the same records and events as any departure (idempotent: a sweep
   * run twice, or by two instances, records each once).
   */
  private async closeDeadInstances(): Promise<void> {
    const deadBefore = new Date(Date.now() - DEAD_AFTER_MS);
    const dead = await this.alive()
      .find({
        _id: { $ne: this.instanceId },
        $or: [{ stoppedAt: { $exists: true } }, { aliveAt: { $lt: deadBefore } }],
      })
      .toArray();
    for (const instance of dead) {
      const lastAlive = instance.stoppedAt ?? instance.aliveAt;
      const sessions = (await this.sessions.collection
        .find({ instance: instance._id, endedAt: null })
        .toArray()) as unknown as StoredSession[];
      let visits = 0;
      for (const session of sessions) visits += await this.closeSession(session, lastAlive);
      if (visits > 0 || sessions.length > 0) {
        this.logger.warn(
          `closed ${visits} visits and ${sessions.length} sessions of an instance that ${instance.stoppedAt ? 'stopped' : 'died'} at ${lastAlive.toISOString()}`,
        );
      }
      // Unless it came back meanwhile (then it was not dead).
      await this.alive().deleteOne({ _id: instance._id, aliveAt: instance.aliveAt });
    }
  }

  /** Ends a dead instance's session at `lastAlive`: its open visits, then the session. */
  private async closeSession(session: StoredSession, lastAlive: Date): Promise<number> {
    const open = await this.attendance
      .find({ sessionId: session._id, leftAt: null })
      .sort({ joinedAt: 1, _id: 1 })
      .lean<StoredVisit[]>()
      .exec();
    for (const [index, visit] of open.entries()) {
      const leftAt = new Date(Math.max(lastAlive.getTime(), visit.joinedAt.getTime()));
      await this.recordDeparture(
        participantOf(visit),
        'disconnected',
        leftAt,
        { sessionEnded: index === open.length - 1 },
        session.title,
      );
    }
    if (open.length === 0) {
      // Every visit closed, but not the session (its last step was lost): it ended with them.
      const ended = (await this.sessions.collection.findOneAndUpdate(
        { _id: session._id, endedAt: null },
        [{ $set: { endedAt: { $ifNull: ['$lastLeftAt', '$startedAt'] } } }],
        { returnDocument: 'after' },
      )) as StoredSession | null;
      if (ended?.endedAt) {
        const fallback = {
          code: ended.code ?? '',
          startedAt: ended.endedAt,
          endedAt: ended.endedAt,
        };
        await this.outbox.add([this.endedEvent(ended, fallback, 'everyone-left')]);
      }
    }
    return open.length;
  }

  /** The signed-in participant's history entry for the session (one per user and session). */
  private async recordInHistory(
    participant: SessionParticipant,
    code: string,
    times: { date: Date; leftAt?: Date },
    title: string | undefined,
  ): Promise<void> {
    if (!participant.userId) return;
    const filter = {
      userId: new Types.ObjectId(participant.userId),
      sessionId: new Types.ObjectId(participant.sessionId),
    };
    const set = {
      ...(title ? { title } : {}),
      ...(participant.role === 'host' ? { hosted: true } : {}),
    };
    const update = {
      $setOnInsert: { meetingCode: code },
      $min: { date: times.date },
      ...(times.leftAt ? { $max: { leftAt: times.leftAt } } : {}),
      ...(Object.keys(set).length > 0 ? { $set: set } : {}),
    };
    await this.history.updateOne(filter, update, { upsert: true }).exec();
  }

  private rememberTitle(sessionId: string, title: string): void {
    if (this.titles.size >= MAX_TITLES) {
      const oldest = this.titles.keys().next().value;
      if (oldest !== undefined) this.titles.delete(oldest);
    }
    this.titles.set(sessionId, title);
  }

  private enqueue(describe: string, run: () => Promise<void>, dropped?: () => void): void {
    if (this.queue.length >= MAX_PENDING) {
      this.queue.shift()?.dropped?.();
      this.dropped += 1;
      this.failures.warn(
        `attendance records are not being written fast enough: ${this.dropped} dropped so far`,
      );
    }
    this.queue.push({ describe, run, tries: 0, ...(dropped ? { dropped } : {}) });
    this.drain();
  }

  private drain(): void {
    while (this.running < CONCURRENCY && this.queue.length > 0) {
      const step = this.queue.shift();
      if (!step) break;
      this.running += 1;
      void this.attempt(step).finally(() => {
        this.running -= 1;
        this.drain();
        if (this.running === 0 && this.queue.length === 0) {
          for (const resolve of this.idle.splice(0)) resolve();
        }
      });
    }
  }

  /** One try; a failure retries later (at once for a concurrent upsert's duplicate key). */
  private async attempt(step: Step): Promise<void> {
    try {
      await step.run();
    } catch (error) {
      step.tries += 1;
      if (isDuplicateKeyError(error) && step.tries < 3) {
        this.queue.unshift(step);
        return;
      }
      // Only an unreachable database is waited for; anything else is tried a few times.
      if (!isDatabaseUnavailableError(error) && step.tries >= MAX_TRIES_IF_REACHABLE) {
        this.logger.error(
          `gave up recording ${step.describe}: ${String((error as Error).message)}`,
        );
        return;
      }
      const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (step.tries - 1));
      this.failures.warn(
        `could not record ${step.describe} (try ${step.tries}, next in ${delay} ms): ${String((error as Error).message)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      this.queue.unshift(step);
    }
  }
}
