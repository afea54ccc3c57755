import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { ThrottledLog } from '../../common/throttled-log.js';
import { TIMED_OUT, withinTimeLimit } from '../../common/time-limit.js';
import type { AppConfig } from '../../config/configuration.js';
import { ChatMessage } from './chat-message.schema.js';

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
}

/**
 * How long a join waits for the room's history (its pending writes, then the query): a
 * database that is down or slow costs a joiner at most this, and then only the replay.
 */
export const HISTORY_WAIT_MS = 1_000;
/** How long shutdown waits for the writes still in flight. */
export const FLUSH_WAIT_MS = 3_000;

/**
 * Chat history storage. Recording never delays delivery: the message was sent before it is
 * recorded, and the write happens in the background (a failure is logged, the message was
 * still delivered). Reading a room's history first waits for that room's writes still in
 * flight, so a late joiner does not miss a message that was just sent. Shutdown waits for
 * the writes in flight (flush) before the database connection closes.
 */
@Injectable()
export class ChatHistoryRepository {
  private readonly logger = new Logger('Chat');
  private readonly unavailable = new ThrottledLog(this.logger);
  private readonly historyLimit: number;
  private readonly pending = new Map<string, Set<Promise<void>>>();

  constructor(
    @InjectModel(ChatMessage.name) private readonly messages: Model<ChatMessage>,
    config: ConfigService<AppConfig, true>,
  ) {
    this.historyLimit = config.get('signaling', { infer: true }).chatHistoryLimit;
  }

  /** Stores the message in the background. */
  record(line: ChatLine): void {
    const write = this.messages
      .create({
        // Orders the messages of one millisecond sent through this instance.
        _id: new Types.ObjectId(),
        room: line.room,
        text: line.text,
        senderName: line.senderName,
        senderSocketId: line.senderSocketId,
        userId: line.userId ? new Types.ObjectId(line.userId) : undefined,
        createdAt: line.sentAt,
      })
      .then(
        () => undefined,
        (error: unknown) =>
          this.unavailable.warn(
            `chat message in room of ${line.senderSocketId} not stored: ${String((error as Error).message)}`,
          ),
      );
    let inFlight = this.pending.get(line.room);
    if (!inFlight) this.pending.set(line.room, (inFlight = new Set()));
    inFlight.add(write);
    void write.finally(() => {
      inFlight.delete(write);
      if (inFlight.size === 0 && this.pending.get(line.room) === inFlight)
        this.pending.delete(line.room);
    });
  }

  /**
   * The room's last CHAT_HISTORY_LIMIT messages sent up to `upTo`, oldest first. Empty (and
   * logged) when the database cannot be read: joining still works.
   */
  async history(room: string, upTo: Date): Promise<StoredChatLine[]> {
    if (this.historyLimit === 0) return [];
    const lines = await withinTimeLimit(this.read(room, upTo), HISTORY_WAIT_MS).catch(
      (error: unknown) => {
        this.unavailable.warn(
          `chat history of a room not available: ${String((error as Error).message)}`,
        );
        return [];
      },
    );
    if (lines !== TIMED_OUT) return lines;
    this.unavailable.warn(`chat history of a room not read within ${HISTORY_WAIT_MS} ms`);
    return [];
  }

  /** Waits (bounded) for every write still in flight; says how many did not finish in time. */
  async flush(timeLimitMs = FLUSH_WAIT_MS): Promise<void> {
    const writes = [...this.pending.values()].flatMap((inFlight) => [...inFlight]);
    if (writes.length === 0) return;
    if ((await withinTimeLimit(Promise.all(writes), timeLimitMs)) !== TIMED_OUT) return;
    const left = [...this.pending.values()].reduce((sum, inFlight) => sum + inFlight.size, 0);
    this.logger.error(`${left} chat messages could not be stored before shutdown`);
  }

  private async read(room: string, upTo: Date): Promise<StoredChatLine[]> {
    await Promise.all([...(this.pending.get(room) ?? [])]);
    const newestFirst = await this.messages
      .find({ room, createdAt: { $lte: upTo } })
      .sort({ createdAt: -1, _id: -1 })
      .limit(this.historyLimit)
      .select({ _id: 0, text: 1, senderName: 1, senderSocketId: 1 })
      .lean<StoredChatLine[]>()
      .exec();
    return newestFirst.reverse();
  }
}
