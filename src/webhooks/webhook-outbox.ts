import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { createHash } from 'node:crypto';
import type { AppConfig } from '../config/configuration.js';
import { isDuplicateKeyError } from '../database/database-errors.js';
import type { WebhookEvent } from './webhook-event.js';
import { WebhookOutboxEntry } from './webhook-outbox.schema.js';

/** A pending entry is given up after this long (then marked failed). */
export const GIVE_UP_AFTER_MS = 24 * 3600_000;
/** Delivered and failed entries are kept this long (to inspect), then expire. */
export const KEEP_FINISHED_MS = 7 * 24 * 3600_000;
/** A pending entry that outlived its giving up (no sender ran meanwhile) still expires. */
const KEEP_PENDING_MS = GIVE_UP_AFTER_MS + KEEP_FINISHED_MS;

/** One outbox entry per event and receiver: the id stays the same for the same pair. */
function entryId(eventId: string, url: string): string {
  return `${eventId}.${createHash('sha256').update(url).digest('hex').slice(0, 12)}`;
}

/**
 * Where recorded events wait to be sent: one entry per event and WEBHOOK_URLS receiver, in
 * the database, so that a crash or restart loses none. Without WEBHOOK_URLS nothing is kept.
 */
@Injectable()
export class WebhookOutbox {
  private readonly logger = new Logger('Webhooks');
  readonly urls: readonly string[];
  private readonly wakeListeners = new Set<() => void>();

  constructor(
    @InjectModel(WebhookOutboxEntry.name) private readonly entries: Model<WebhookOutboxEntry>,
    config: ConfigService<AppConfig, true>,
  ) {
    this.urls = config.get('webhooks', { infer: true }).urls;
  }

  get enabled(): boolean {
    return this.urls.length > 0;
  }

  /**
   * Stores the events for every receiver. Idempotent: an event stored before (recorded again
   * after a retry, or by another instance) is not stored twice. Throws when the database
   * does not take them (the caller retries with the record they belong to).
   */
  async add(events: readonly WebhookEvent[]): Promise<void> {
    if (!this.enabled || events.length === 0) return;
    const now = new Date();
    const docs = events.flatMap((event) =>
      this.urls.map((url) => ({
        _id: entryId(event.id, url),
        eventId: event.id,
        type: event.type,
        url,
        body: JSON.stringify(event),
        status: 'pending' as const,
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
        expiresAt: new Date(now.getTime() + KEEP_PENDING_MS),
      })),
    );
    try {
      await this.entries.insertMany(docs, { ordered: false });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // Some were stored already; insertMany (unordered) stored the others.
    }
    for (const wake of this.wakeListeners) wake();
    this.logger.debug(`${docs.length} webhook deliveries queued`);
  }

  /** Called whenever entries were added here (a sender sends them at once). */
  onAdded(listener: () => void): () => void {
    this.wakeListeners.add(listener);
    return () => this.wakeListeners.delete(listener);
  }
}
