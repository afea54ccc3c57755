import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectModel } from '@nestjs/mongoose';
import mongoose, { type Model, Types } from 'mongoose';
import { createRedisClient } from '../../common/redis-client.js';
import { ThrottledLog } from '../../common/throttled-log.js';
import { TIMED_OUT, withinTimeLimit } from '../../common/time-limit.js';
import type { AppConfig } from '../../config/configuration.js';
import { isDatabaseUnavailableError, isDuplicateKeyError } from '../../database/database-errors.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { ChatMessage } from './chat-message.schema.js';
import { RedisRecentChat, type RecentEntry } from './redis-recent-chat.js';

/** A delivered chat message, as stored for late joiners. */
export interface ChatLine {
  room: string;
  text: string;
  senderName: string;
  senderSocketId: string;
  userId?: string;
  /** Orders messages (ms, from every instance's clock); the boundary between replay and live. */
  sentAt: Date;
}

export interface StoredChatLine {
  text: string;
  senderName: string;
  senderSocketId: string;
  /** When it was sent (ms since the epoch), as the sending instance's clock said. */
  sentAt: number;
}

/**
 * How long a join waits for the room's stored history: a database that is down or slow costs
 * a joiner at most this (it then gets the messages not stored yet, from memory).
 */
export const HISTORY_WAIT_MS = 1_000;
/** How long shutdown keeps trying to store what is still unsaved. */
export const FLUSH_WAIT_MS = 3_000;
/** One write takes at most this many messages (a backlog is written in several). */
const MAX_BATCH_MESSAGES = 5_000;
/** A write the database has not answered in this time is tried again (same ids: no copy). */
const WRITE_WAIT_MS = 10_000;
/** Retries of a failed batch back off from the first delay to the last. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5_000;
/** What a buffered message costs beyond its strings (object, ids, date), roughly. */
const MESSAGE_OVERHEAD_BYTES = 200;

interface Unsaved {
  id: Types.ObjectId;
  line: ChatLine;
  bytes: number;
}

/** A message as a room's history holds it. */
interface Entry {
  id: Types.ObjectId;
  sentAt: Date;
  line: StoredChatLine;
}

/**
 * One live room's last messages, in memory (one instance only: scaled out, messages sent
 * through other instances never pass here). `arriving` collects what is recorded while the
 * room's stored history is first read.
 */
interface RecentHistory {
  entries: Entry[];
  arriving?: Entry[];
  /** While the stored history is first read: settles when that read is over. */
  loaded?: Promise<void>;
  /** What its entries hold, roughly (see entryBytes). */
  bytes: number;
}

/**
 * Recent history is kept for at most this many rooms and bytes in all (the least recently
 * used rooms go first).
 */
const RECENT_ROOMS = 5_000;
/** One instance: how many rooms with chat it keeps track of (see roomsWithChat). */
const KNOWN_ROOMS_MAX = 200_000;
/** How long it waits for the list of rooms with chat, and before asking again after a failure. */
const LEARN_WAIT_MS = 10_000;
const LEARN_RETRY_MS = 60_000;
/** History reads sent to the database at once (see readInTurn). */
const MAX_CONCURRENT_READS = 8;
const RECENT_BYTES = 64 * 1024 * 1024;

/** What a kept message costs, roughly (UTF-16 strings and the objects around them). */
function entryBytes({ line }: Entry): number {
  return MESSAGE_OVERHEAD_BYTES + 2 * (line.text.length + line.senderName.length);
}

/**
 * Chat history storage. Recording never delays delivery and costs no database round trip per
 * message: messages wait in a buffer and are written in batches, one insertMany at a time
 * (group commit: a message is written at once when no write is in flight, and the messages
 * that arrive during a write go together in the next one). The buffer is bounded
 * in messages and bytes (CHAT_BUFFER_MESSAGES, CHAT_BUFFER_BYTES): when it is full, record()
 * refuses the message, which is then not delivered either (the sender is told to slow down):
 * overload or a long database outage can never exhaust memory, and a delivered message is
 * never dropped unsaved. Refusals are counted (signaling_chat_messages_shed_total) and logged,
 * throttled. A batch that fails is retried with backoff, so a database outage shorter than the
 * bound loses nothing; its ids are set here, so a retry after a partial write stores no copy.
 * A room's history is the stored messages merged with those still in the buffer. On one
 * instance (no REDIS_URL), a live room's last CHAT_HISTORY_LIMIT messages are also kept in
 * memory from its first join on, so later joins read no database (scaled out, messages sent
 * through other instances never pass here: each join reads it). Shutdown writes what is left
 * (flush) before the database connection closes.
 */
@Injectable()
export class ChatHistoryRepository implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Chat');
  private readonly unavailable = new ThrottledLog(this.logger);
  private readonly shedLog = new ThrottledLog(this.logger);
  private readonly historyLimit: number;
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  /** Waiting for their batch, oldest first; and the batch being written. */
  private queued: Unsaved[] = [];
  private writing: Unsaved[] = [];
  private bytes = 0;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<boolean>;
  private retryMs = 0;
  /** Live rooms' recent history (when every message passes through this instance). */
  private readonly recent = new Map<string, RecentHistory>();
  private recentBytes = 0;
  private readonly keepsRecent: boolean;
  private readonly retentionMs: number;
  /**
   * One instance: the rooms that may have chat history (stored, or recorded since start), once
   * the database said which rooms it holds messages of; a room not in it has none, and its
   * first join reads nothing. Undefined while unknown, or when there are too many to keep.
   */
  private roomsWithChat?: Set<string>;
  /** Rooms recorded since start, until roomsWithChat is known. */
  private recordedRooms? = new Set<string>();
  private learning?: Promise<void>;
  private nextLearnAt = 0;
  /** History reads under way, and the reads waiting for their turn. */
  private reading = 0;
  private readonly readTurns: (() => void)[] = [];
  /** Scaled out: live rooms' recent history, shared by every instance through Redis. */
  private readonly shared?: RedisRecentChat;

  constructor(
    @InjectModel(ChatMessage.name) private readonly messages: Model<ChatMessage>,
    private readonly metrics: MetricsService,
    config: ConfigService<AppConfig, true>,
  ) {
    const signaling = config.get('signaling', { infer: true });
    this.historyLimit = signaling.chatHistoryLimit;
    this.maxMessages = signaling.chatBuffer.messages;
    this.maxBytes = signaling.chatBuffer.bytes;
    this.retentionMs = signaling.chatRetentionSeconds * 1000;
    const redis = config.get('redis', { infer: true });
    this.keepsRecent = !redis && this.historyLimit > 0;
    if (redis && this.historyLimit > 0) {
      // While Redis is away an append fails at once (at most a second when Redis hangs), and
      // the message is delivered anyway (late joiners elsewhere then read the database).
      const client = createRedisClient(redis.url, 'chat history', {
        enableOfflineQueue: false,
        connectTimeout: 2_000,
        commandTimeout: 1_000,
      });
      this.shared = new RedisRecentChat(
        client,
        redis.keyPrefix,
        this.historyLimit,
        this.retentionMs,
      );
    }
  }

  onApplicationBootstrap(): void {
    // The app starts before the database answers: once it is connected.
    const connection = this.messages.db;
    if (connection.readyState === mongoose.ConnectionStates.connected) this.learnRooms();
    else connection.once('open', () => this.learnRooms());
  }

  onApplicationShutdown(): void {
    this.shared?.close();
  }

  /**
   * One instance: asks the database which rooms it holds messages of (in the background; again
   * a minute after a failure). Until then, and beyond KNOWN_ROOMS_MAX rooms, joins read.
   */
  private learnRooms(): void {
    if (!this.keepsRecent || this.roomsWithChat || this.learning) return;
    if (!this.recordedRooms || Date.now() < this.nextLearnAt) return;
    if (this.messages.db.readyState !== mongoose.ConnectionStates.connected) return;
    this.learning = withinTimeLimit(this.messages.distinct('room').exec(), LEARN_WAIT_MS)
      .then((rooms) => {
        if (rooms === TIMED_OUT) throw new Error(`no answer in ${LEARN_WAIT_MS} ms`);
        const recorded = this.recordedRooms;
        if (!recorded || rooms.length + recorded.size > KNOWN_ROOMS_MAX) {
          this.recordedRooms = undefined;
          return;
        }
        this.roomsWithChat = new Set([...rooms.map(String), ...recorded]);
        this.recordedRooms = undefined;
      })
      .catch((error: unknown) => {
        const reason = String((error as Error).message);
        if (isDatabaseUnavailableError(error) || reason.startsWith('no answer')) {
          this.nextLearnAt = Date.now() + LEARN_RETRY_MS;
          this.unavailable.warn(`could not learn which rooms have chat history yet: ${reason}`);
          return;
        }
        // Refused (say, more rooms than one answer may hold): joins read, as before.
        this.recordedRooms = undefined;
        this.logger.warn(`every join reads its room's chat history: ${reason}`);
      })
      .finally(() => (this.learning = undefined));
  }

  /** How many messages are not stored yet. */
  get unsaved(): number {
    return this.queued.length + this.writing.length;
  }

  /**
   * Takes the message for storage (in the next batch), or refuses it (false) when the buffer
   * is full: the caller must not deliver it then. Taken, it settles once the message is in
   * the room's recent history (scaled out: in Redis, or given up, logged); deliver it then, so
   * that a late joiner on any instance finds every message it did not hear live.
   */
  record(line: ChatLine): false | Promise<void> {
    const bytes =
      MESSAGE_OVERHEAD_BYTES + 2 * (line.text.length + line.senderName.length + line.room.length);
    if (this.unsaved >= this.maxMessages || this.bytes + bytes > this.maxBytes) {
      this.metrics.chatMessagesShed.inc();
      this.shedLog.warn(
        `chat refused: ${this.unsaved} messages (${this.bytes} bytes) wait to be stored`,
      );
      return false;
    }
    if (this.roomsWithChat) {
      this.roomsWithChat.add(line.room);
      // Too many to keep: joins read the database again.
      if (this.roomsWithChat.size > KNOWN_ROOMS_MAX) this.roomsWithChat = undefined;
    } else if (this.recordedRooms) {
      this.recordedRooms.add(line.room);
      if (this.recordedRooms.size > KNOWN_ROOMS_MAX) this.recordedRooms = undefined;
    }
    // Orders the messages of one millisecond sent through this instance.
    const id = new Types.ObjectId();
    this.queued.push({ id, line, bytes });
    const recent = this.recent.get(line.room);
    if (recent) {
      const { text, senderName, senderSocketId } = line;
      const entry = {
        id,
        sentAt: line.sentAt,
        line: { text, senderName, senderSocketId, sentAt: line.sentAt.getTime() },
      };
      recent.entries.push(entry);
      recent.arriving?.push(entry);
      this.keptBytes(recent, entryBytes(entry));
      const dropped =
        recent.entries.length > this.historyLimit ? recent.entries.shift() : undefined;
      if (dropped) this.keptBytes(recent, -entryBytes(dropped));
      this.trimRecent(line.room);
    }
    this.bytes += bytes;
    this.metrics.chatMessagesUnsaved.set(this.unsaved);
    // In the write after the one in flight, or after the retry already planned.
    if (!this.inFlight) this.writeSoon(this.retryMs);
    if (!this.shared) return Promise.resolve();
    const { text, senderName, senderSocketId } = line;
    return this.shared
      .append(line.room, {
        id: id.toHexString(),
        at: line.sentAt.getTime(),
        text,
        senderName,
        senderSocketId,
      })
      .catch((error: unknown) => {
        this.unavailable.warn(
          `recent chat not shared through Redis: ${String((error as Error).message)}`,
        );
      });
  }

  /**
   * The room's last CHAT_HISTORY_LIMIT messages sent up to `upTo`, oldest first: the stored
   * ones and those still waiting to be stored. Only the latter when the database cannot be
   * read in time (logged): joining still works.
   */
  async history(room: string, upTo: Date): Promise<StoredChatLine[]> {
    if (this.historyLimit === 0) return [];
    let recent = this.recent.get(room);
    // Joins that arrive while the room's first read is under way wait for it rather than each
    // reading the database (a join storm into new rooms: one read per room, not per joiner).
    if (recent?.loaded) {
      await recent.loaded;
      recent = this.recent.get(room);
      // That read failed (the database unreachable or slow): this join does not wait for
      // another one, and gets what a failed read gives, the messages not stored yet.
      if (!recent || recent.arriving) return this.unsavedUpTo(room, upTo);
    }
    if (recent && !recent.arriving) {
      // Most recently used last.
      this.recent.delete(room);
      this.recent.set(room, recent);
      const since = Date.now() - this.retentionMs;
      return recent.entries
        .filter(({ sentAt }) => sentAt <= upTo && sentAt.getTime() >= since)
        .slice(-this.historyLimit)
        .map(({ line }) => line);
    }
    if (this.shared) return this.sharedHistory(this.shared, room, upTo);
    if (!this.keepsRecent || recent) {
      return (await this.load(room, upTo)).entries.map(({ line }) => line);
    }
    if (this.roomsWithChat && !this.roomsWithChat.has(room)) {
      // Never had a message (within the retention): nothing to read.
      this.recent.set(room, { entries: [], bytes: 0 });
      this.trimRecent(room);
      return [];
    }
    this.learnRooms();
    // The room's first join here: its history is read once, then kept up to date here.
    let settle = (): void => undefined;
    const loading: RecentHistory = {
      entries: [],
      arriving: [],
      bytes: 0,
      loaded: new Promise((resolve) => (settle = resolve)),
    };
    this.recent.set(room, loading);
    try {
      const { entries: loaded, complete } = await this.load(room, upTo);
      if (this.recent.get(room) === loading) {
        if (!complete) this.forget(room);
        else {
          const seen = new Set(loaded.map(({ id }) => id.toHexString()));
          const arrived = (loading.arriving ?? []).filter(({ id }) => !seen.has(id.toHexString()));
          loading.entries = [...loaded, ...arrived].slice(-this.historyLimit);
          loading.arriving = undefined;
          this.keptBytes(
            loading,
            loading.entries.reduce((sum, entry) => sum + entryBytes(entry), 0) - loading.bytes,
          );
          this.trimRecent(room);
        }
      }
      return loaded.map(({ line }) => line);
    } finally {
      loading.loaded = undefined;
      settle();
    }
  }

  /**
   * Scaled out: the room's list in Redis when it is complete; otherwise the database's history
   * (and this instance's unsaved messages), which then completes the list. While the database
   * cannot be read, whatever the list holds, merged in.
   */
  private async sharedHistory(
    shared: RedisRecentChat,
    room: string,
    upTo: Date,
  ): Promise<StoredChatLine[]> {
    const listed = await shared.read(room).catch((error: unknown) => {
      this.unavailable.warn(`recent chat not read from Redis: ${String((error as Error).message)}`);
      return null;
    });
    if (listed) return this.recentUpTo(listed, upTo);
    const { entries, complete } = await this.load(room, upTo);
    const stored = entries.map(toRecentEntry);
    if (listed === undefined && complete) {
      const list = await shared.complete(room, stored).catch(() => undefined);
      // With what was read here: a list another instance completed may lack a message whose
      // append failed here (not marked incomplete yet).
      if (list) return this.recentUpTo([...stored, ...list], upTo);
    }
    if (!complete) {
      const any = await shared.readAny(room).catch(() => []);
      return this.recentUpTo([...stored, ...any], upTo);
    }
    return entries.map(({ line }) => line);
  }

  /** Each message once, in order of sending, up to `upTo` and within the retention. */
  private recentUpTo(entries: RecentEntry[], upTo: Date): StoredChatLine[] {
    const since = Date.now() - this.retentionMs;
    const byId = new Map<string, RecentEntry>();
    for (const entry of entries) {
      if (entry.at <= upTo.getTime() && entry.at >= since) byId.set(entry.id, entry);
    }
    return [...byId.values()]
      .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(-this.historyLimit)
      .map(({ text, senderName, senderSocketId, at }) => ({
        text,
        senderName,
        senderSocketId,
        sentAt: at,
      }));
  }

  /** This instance's messages of the room not stored yet, sent up to `upTo`, oldest first. */
  private unsavedUpTo(room: string, upTo: Date): StoredChatLine[] {
    return [...this.writing, ...this.queued]
      .filter(({ line }) => line.room === room && line.sentAt <= upTo)
      .sort((a, b) => a.line.sentAt.getTime() - b.line.sentAt.getTime())
      .slice(-this.historyLimit)
      .map(({ line: { text, senderName, senderSocketId, sentAt } }) => ({
        text,
        senderName,
        senderSocketId,
        sentAt: sentAt.getTime(),
      }));
  }

  /** The room has nobody left in it here: its recent history is read again when it is live. */
  forget(room: string): void {
    const recent = this.recent.get(room);
    if (!recent) return;
    this.recentBytes -= recent.bytes;
    this.recent.delete(room);
  }

  private keptBytes(recent: RecentHistory, change: number): void {
    recent.bytes += change;
    this.recentBytes += change;
  }

  /** Within RECENT_ROOMS and RECENT_BYTES: the least recently used rooms but `keep` go. */
  private trimRecent(keep: string): void {
    for (const [room] of this.recent) {
      if (this.recent.size <= RECENT_ROOMS && this.recentBytes <= RECENT_BYTES) return;
      if (room !== keep) this.forget(room);
    }
  }

  /**
   * The room's last messages up to `upTo`: the stored ones merged with those not stored yet,
   * oldest first; not `complete` when the stored ones could not be read in time.
   */
  private async load(room: string, upTo: Date): Promise<{ entries: Entry[]; complete: boolean }> {
    // Taken before the query: a message written meanwhile is in both, and counted once.
    const unsaved = [...this.writing, ...this.queued].filter(
      ({ line }) => line.room === room && line.sentAt <= upTo,
    );
    let failed = false;
    const stored = await withinTimeLimit(
      this.readInTurn(room, upTo, Date.now() + HISTORY_WAIT_MS),
      HISTORY_WAIT_MS,
    ).catch((error: unknown) => {
      failed = true;
      this.unavailable.warn(
        `chat history of a room not available: ${String((error as Error).message)}`,
      );
      return [];
    });
    if (stored === TIMED_OUT)
      this.unavailable.warn(`chat history of a room not read within ${HISTORY_WAIT_MS} ms`);
    const byId = new Map<string, Entry>();
    for (const { _id, createdAt, text, senderName, senderSocketId } of stored === TIMED_OUT
      ? []
      : stored) {
      byId.set(_id.toHexString(), {
        id: _id,
        sentAt: createdAt,
        line: { text, senderName, senderSocketId, sentAt: createdAt.getTime() },
      });
    }
    for (const { id, line } of unsaved) {
      const { text, senderName, senderSocketId } = line;
      byId.set(id.toHexString(), {
        id,
        sentAt: line.sentAt,
        line: { text, senderName, senderSocketId, sentAt: line.sentAt.getTime() },
      });
    }
    const entries = [...byId.values()]
      .sort(
        (a, b) =>
          a.sentAt.getTime() - b.sentAt.getTime() ||
          a.id.toHexString().localeCompare(b.id.toHexString()),
      )
      .slice(-this.historyLimit);
    return { entries, complete: stored !== TIMED_OUT && !failed };
  }

  /**
   * Stores everything still unsaved, retrying for up to `timeLimitMs`; says how many messages
   * could not be stored (shutdown: the database stays unreachable).
   */
  async flush(timeLimitMs = FLUSH_WAIT_MS): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + timeLimitMs;
    while (this.unsaved > 0 && Date.now() < deadline) {
      const stored = await withinTimeLimit(
        this.inFlight ?? this.writeBatch(),
        deadline - Date.now(),
      );
      if (stored === false)
        await sleep(Math.min(RETRY_FIRST_MS, Math.max(0, deadline - Date.now())));
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.unsaved > 0)
      this.logger.error(`${this.unsaved} chat messages could not be stored before shutdown`);
  }

  private writeSoon(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeBatch();
    }, delayMs);
    this.timer.unref();
  }

  /** Writes the next batch; true once it is stored, false when it will be retried. */
  private writeBatch(): Promise<boolean> {
    if (this.inFlight) return this.inFlight;
    const batch = this.queued.splice(0, MAX_BATCH_MESSAGES);
    if (batch.length === 0) return Promise.resolve(true);
    this.writing = batch;
    const written = this.insert(batch).then((stored) => {
      this.writing = [];
      this.inFlight = undefined;
      if (stored) {
        this.retryMs = 0;
        for (const { bytes } of batch) this.bytes -= bytes;
      } else {
        this.queued.unshift(...batch);
        this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs ? this.retryMs * 2 : RETRY_FIRST_MS);
      }
      this.metrics.chatMessagesUnsaved.set(this.unsaved);
      if (this.queued.length > 0) this.writeSoon(this.retryMs);
      return stored;
    });
    this.inFlight = written;
    return written;
  }

  /**
   * One insertMany. False when the batch is to be tried again: the database did not take it
   * (unreachable, slow, failing over), however the driver words that. When it answered per
   * document, the batch is done: the documents it did not refuse are stored, a duplicate is
   * a copy an earlier, partly failed try stored, and any other refusal is final (given up,
   * logged and counted as shed) rather than holding back every later message.
   */
  private async insert(batch: Unsaved[]): Promise<boolean> {
    try {
      const answered = await withinTimeLimit(
        this.messages.insertMany(
          batch.map(({ id, line }) => ({
            _id: id,
            room: line.room,
            text: line.text,
            senderName: line.senderName,
            senderSocketId: line.senderSocketId,
            ...(line.userId ? { userId: new Types.ObjectId(line.userId) } : {}),
            createdAt: line.sentAt,
          })),
          // Each document was checked as a client message: no casting or validation again.
          { ordered: false, lean: true },
        ),
        WRITE_WAIT_MS,
      );
      if (answered === TIMED_OUT) {
        this.unavailable.warn(
          `${batch.length} chat messages not stored in ${WRITE_WAIT_MS} ms, retrying`,
        );
        return false;
      }
      return true;
    } catch (error) {
      const reason = String((error as Error).message);
      const refused = writeErrors(error);
      if (refused.length === 0) {
        this.unavailable.warn(`${batch.length} chat messages not stored yet, retrying: ${reason}`);
        return false;
      }
      const lost = refused.filter((refusal) => !isDuplicateKeyError(refusal)).length;
      if (lost > 0) {
        this.metrics.chatMessagesShed.inc(lost);
        this.logger.error(`${lost} chat messages refused by the database, given up: ${reason}`);
      }
      return true;
    }
  }

  /**
   * A history read, at most MAX_CONCURRENT_READS at a time: a burst of joins into new rooms
   * queues here instead of in the driver's pool, where it held the chat writes back for
   * seconds (1,000 reads ahead of them; each still ran after its join gave up on it). A read
   * whose join gave up while it waited here is not sent at all.
   */
  private async readInTurn(
    room: string,
    upTo: Date,
    deadline: number,
  ): Promise<Awaited<ReturnType<ChatHistoryRepository['read']>>> {
    while (this.reading >= MAX_CONCURRENT_READS) {
      await new Promise<void>((resolve) => this.readTurns.push(resolve));
    }
    if (Date.now() >= deadline) {
      this.readTurns.shift()?.();
      throw new Error('the join stopped waiting before its turn to read');
    }
    this.reading += 1;
    try {
      return await this.read(room, upTo);
    } finally {
      this.reading -= 1;
      this.readTurns.shift()?.();
    }
  }

  private async read(
    room: string,
    upTo: Date,
  ): Promise<(StoredChatLine & { _id: Types.ObjectId; createdAt: Date })[]> {
    return this.messages
      .find({ room, createdAt: { $lte: upTo } })
      .sort({ createdAt: -1, _id: -1 })
      .limit(this.historyLimit)
      .select({ _id: 1, createdAt: 1, text: 1, senderName: 1, senderSocketId: 1 })
      .lean<(StoredChatLine & { _id: Types.ObjectId; createdAt: Date })[]>()
      .exec();
  }
}

/** A bulk write's refusals, one per document the database refused (none: not answered). */
function writeErrors(error: unknown): unknown[] {
  const refusals = (error as { writeErrors?: unknown } | null)?.writeErrors;
  return Array.isArray(refusals) ? refusals : [];
}

function toRecentEntry({ id, sentAt, line }: Entry): RecentEntry {
  return { id: id.toHexString(), at: sentAt.getTime(), ...line };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
