import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { isDatabaseUnavailableError, isDuplicateKeyError } from '../database/database-errors.js';
import { ThrottledLog } from '../common/throttled-log.js';
import type {
  CallRecorder,
  RecordedMeeting,
  SessionParticipant,
  VisitEndReason,
} from '../signaling/call/call-recorder.js';
import type { Role } from '../signaling/protocol/events.js';
import type { Participant, WaitingEntry } from '../signaling/rooms/room-registry.js';
import { type WebhookEvent, webhookEvent } from '../webhooks/webhook-event.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.js';
import { Attendance } from './schemas/attendance.schema.js';
import { MeetingHistoryEntry } from './schemas/meeting-history-entry.schema.js';
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

interface Step {
  describe: string;
  run: () => Promise<void>;
  tries: number;
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
 */
@Injectable()
export class AttendanceRecorder implements CallRecorder {
  private readonly logger = new Logger('Attendance');
  private readonly failures = new ThrottledLog(this.logger);
  private readonly queue: Step[] = [];
  private running = 0;
  private dropped = 0;
  private idle: (() => void)[] = [];
  private readonly titles = new Map<string, string>();

  constructor(
    @InjectModel(MeetingSession.name) private readonly sessions: Model<MeetingSession>,
    @InjectModel(Attendance.name) private readonly attendance: Model<Attendance>,
    @InjectModel(MeetingHistoryEntry.name) private readonly history: Model<MeetingHistoryEntry>,
    private readonly outbox: WebhookOutbox,
  ) {}

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
    const sessionId = new Types.ObjectId(participant.sessionId);
    const joinedAt = new Date(participant.joinedAt);
    const meetingData = { code: meeting.code, ...(meeting.title ? { title: meeting.title } : {}) };
    this.enqueue(`the visit of ${participant.socketId}`, async () => {
      await this.sessions
        .updateOne(
          { _id: sessionId },
          {
            $setOnInsert: {
              code: meeting.code,
              ...(meeting.title ? { title: meeting.title } : {}),
            },
            $min: { startedAt: joinedAt },
            $max: { peakParticipants: roomSize },
          },
          { upsert: true },
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
      await this.recordInHistory(participant, meeting.code, { date: joinedAt });
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
    const sessionId = new Types.ObjectId(participant.sessionId);
    const joinedAt = new Date(participant.joinedAt);
    const leftAt = new Date(Math.max(leftAtMs, participant.joinedAt));
    const code = participant.roomId;
    const title = this.titles.get(participant.sessionId);
    const meetingData = { code, ...(title ? { title } : {}) };
    if (details.sessionEnded) this.titles.delete(participant.sessionId);
    this.enqueue(`the departure of ${participant.socketId}`, async () => {
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
      await this.recordInHistory(participant, code, { date: joinedAt, leftAt });
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
        const session = await this.sessions
          .findOneAndUpdate(
            { _id: sessionId },
            {
              $setOnInsert: { code },
              $min: { startedAt: joinedAt },
              $max: { endedAt: leftAt, peakParticipants: 1 },
            },
            { upsert: true, returnDocument: 'after' },
          )
          .lean<MeetingSession>()
          .exec();
        const startedAt = session?.startedAt ?? joinedAt;
        const endedAt = session?.endedAt ?? leftAt;
        events.push(
          webhookEvent('meeting.ended', participant.sessionId, endedAt, {
            meeting: { code, ...(session?.title ? { title: session.title } : {}) },
            session: {
              id: participant.sessionId,
              startedAt: startedAt.toISOString(),
              endedAt: endedAt.toISOString(),
              durationMs: endedAt.getTime() - startedAt.getTime(),
              peakParticipants: session?.peakParticipants ?? 1,
            },
            reason: reason === 'meeting-ended' ? 'ended-by-host' : 'everyone-left',
          }),
        );
      }
      await this.outbox.add(events);
    });
  }

  roleChanged(participant: SessionParticipant, role: Role): void {
    if (!validSession(participant)) return;
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
    this.enqueue(`the wait of ${entry.socketId}`, () =>
      this.outbox.add([
        webhookEvent('lobby.waiting', `${entry.roomId}/${entry.socketId}/${entry.since}`, since, {
          meeting: { code: entry.roomId },
          sessionId: sessionId ?? null,
          waiting: {
            socketId: entry.socketId,
            name: entry.name,
            userId: entry.userId ?? null,
            guest: entry.userId === undefined,
            since: since.toISOString(),
          },
        }),
      ]),
    );
  }

  async flush(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return;
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
  }

  /** The signed-in participant's history entry for the session (one per user and session). */
  private async recordInHistory(
    participant: SessionParticipant,
    code: string,
    times: { date: Date; leftAt?: Date },
  ): Promise<void> {
    if (!participant.userId) return;
    const title = this.titles.get(participant.sessionId);
    const filter = {
      userId: new Types.ObjectId(participant.userId),
      sessionId: new Types.ObjectId(participant.sessionId),
    };
    const update = {
      $setOnInsert: { meetingCode: code, ...(title ? { title } : {}) },
      $min: { date: times.date },
      ...(times.leftAt ? { $max: { leftAt: times.leftAt } } : {}),
      ...(participant.role === 'host' ? { $set: { hosted: true } } : {}),
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

  private enqueue(describe: string, run: () => Promise<void>): void {
    if (this.queue.length >= MAX_PENDING) {
      this.queue.shift();
      this.dropped += 1;
      this.failures.warn(
        `attendance records are not being written fast enough: ${this.dropped} dropped so far`,
      );
    }
    this.queue.push({ describe, run, tries: 0 });
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
