import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ThrottledLog } from '../common/throttled-log.js';
import type { AppConfig } from '../config/configuration.js';
import { signatureHeader } from './webhook-event.js';
import { GIVE_UP_AFTER_MS, KEEP_FINISHED_MS, WebhookOutbox } from './webhook-outbox.js';
import { RECOMMENDED_SECRET_LENGTH } from './webhooks.config.js';
import { WebhookOutboxEntry } from './webhook-outbox.schema.js';

/** A claimed entry is another sender's to take again this long after its time limit. */
const LEASE_SLACK_MS = 20_000;
/** Retries wait 1 s, 2 s, 4 s, … up to 1 h between tries. */
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 3600_000;
/** How often an idle sender looks for due entries (new ones here wake it at once). */
const POLL_MS = 1_000;
/** Requests in flight at once, per instance. */
const CONCURRENCY = 8;
/**
 * Requests in flight at once to one receiver, per instance: a receiver that hangs holds at
 * most this many of the slots, and the others keep theirs.
 */
export const PER_URL_CONCURRENCY = 2;
/** On shutdown, in-flight requests get this long before they are abandoned (and released). */
const SHUTDOWN_WAIT_MS = 2_000;

/** The wait before try number `attempts + 1`: doubling from 1 s, at most 1 h, ±10 %. */
export function retryDelayMs(attempts: number, random = Math.random()): number {
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.9 + 0.2 * random));
}

/**
 * After a failed try at `nowMs` of an entry created at `createdAtMs` (its `attempts`-th try):
 * when to try again, never later than 24 h after the event (so its last try happens then),
 * or 'give-up' once that time has come (it is marked failed).
 */
export function nextAttemptAt(
  createdAtMs: number,
  attempts: number,
  nowMs: number,
  random = Math.random(),
): number | 'give-up' {
  const lastTryAt = createdAtMs + GIVE_UP_AFTER_MS;
  if (nowMs >= lastTryAt) return 'give-up';
  return Math.min(nowMs + retryDelayMs(attempts, random), lastTryAt);
}

type Claimed = Pick<
  WebhookOutboxEntry,
  '_id' | 'eventId' | 'url' | 'body' | 'attempts' | 'createdAt' | 'type'
>;

/**
 * Sends the outbox: claims a due entry (a lease: exactly one instance sends it at a time),
 * POSTs it signed, and records the outcome. A 2xx answer is delivered; anything else (a
 * timeout, a network error, 3xx, 4xx, 5xx) is retried with exponential backoff until 24 h
 * after the event, then marked failed. Receivers never block the app: each request has a
 * time limit, at most CONCURRENCY run at once (PER_URL_CONCURRENCY to one receiver, so a
 * hanging one does not hold up the others), and response bodies are discarded unread. A failed
 * try wakes the sender when its retry is due; the last try happens 24 h after the event.
 */
@Injectable()
export class WebhookSender implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly failures = new ThrottledLog(this.logger);
  private readonly nodeId = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly secret: string;
  /** A receiver has this long to answer with a status (WEBHOOK_TIMEOUT); bodies are unread. */
  private readonly timeoutMs: number;
  /** A claimed entry is another sender's to take again after this (its holder died). */
  private readonly leaseMs: number;
  private readonly inFlight = new Map<
    string,
    { done: Promise<void>; abort: AbortController; url: string }
  >();
  private timer?: NodeJS.Timeout;
  /** Wakes the sender when the earliest retry this instance scheduled is due. */
  private retryTimer?: { at: number; timer: NodeJS.Timeout };
  private stopWaking?: () => void;
  /** The claiming loop while it runs. */
  private filling?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(
    @InjectModel(WebhookOutboxEntry.name) private readonly entries: Model<WebhookOutboxEntry>,
    private readonly outbox: WebhookOutbox,
    config: ConfigService<AppConfig, true>,
  ) {
    const webhooks = config.get('webhooks', { infer: true });
    this.secret = webhooks.secret;
    this.timeoutMs = webhooks.timeoutMs;
    this.leaseMs = webhooks.timeoutMs + LEASE_SLACK_MS;
  }

  onApplicationBootstrap(): void {
    if (!this.outbox.enabled) return;
    this.stopped = false;
    this.logger.log(`sending events to ${this.outbox.urls.length} webhook receiver(s)`);
    if (this.secret.length < RECOMMENDED_SECRET_LENGTH) {
      this.logger.warn(
        `WEBHOOK_SECRET is shorter than ${RECOMMENDED_SECRET_LENGTH} characters: signatures are easier to forge; use a long random value`,
      );
    }
    this.stopWaking = this.outbox.onAdded(() => this.pump());
    this.timer = setInterval(() => this.pump(), POLL_MS);
    this.timer.unref();
    this.pump();
  }

  /** Stops claiming; requests still running get a moment, then are abandoned and released. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.retryTimer?.timer);
    this.retryTimer = undefined;
    this.stopWaking?.();
    // A claim under way finishes first (what it claimed is started, or released).
    await this.filling;
    const running = [...this.inFlight.values()];
    if (running.length === 0) return;
    const all = Promise.allSettled(running.map(({ done }) => done));
    const timer = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref());
    await Promise.race([all, timer]);
    for (const { abort } of this.inFlight.values()) abort.abort();
    await all;
  }

  /** Claims and starts due entries while there are free slots. */
  private pump(): void {
    if (this.stopped) return;
    if (this.filling) {
      this.again = true;
      return;
    }
    this.filling = this.fill()
      .catch((error: unknown) => {
        this.failures.warn(
          `could not read the webhook outbox: ${String((error as Error).message)}`,
        );
      })
      .finally(() => {
        this.filling = undefined;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async fill(): Promise<void> {
    while (!this.stopped && this.inFlight.size < CONCURRENCY) {
      const entry = await this.claim();
      if (!entry) return;
      if (this.stopped) {
        await this.release(entry);
        return;
      }
      const abort = new AbortController();
      const done = this.deliver(entry, abort.signal)
        .catch((error: unknown) => {
          this.failures.warn(
            `could not record a webhook outcome: ${String((error as Error).message)}`,
          );
        })
        .finally(() => {
          this.inFlight.delete(entry._id);
          this.pump();
        });
      this.inFlight.set(entry._id, { done, abort, url: entry.url });
    }
  }

  /**
   * The oldest due pending entry for a receiver with a free slot (PER_URL_CONCURRENCY), leased
   * to this instance (one atomic update).
   */
  private async claim(): Promise<Claimed | null> {
    const busy = new Map<string, number>();
    for (const { url } of this.inFlight.values()) busy.set(url, (busy.get(url) ?? 0) + 1);
    // A receiver no longer configured is not sent to (its entries expire).
    const urls = this.outbox.urls.filter((url) => (busy.get(url) ?? 0) < PER_URL_CONCURRENCY);
    if (urls.length === 0) return null;
    const now = Date.now();
    return this.entries
      .findOneAndUpdate(
        {
          status: 'pending',
          nextAttemptAt: { $lte: new Date(now) },
          url: { $in: urls },
        },
        {
          $set: { nextAttemptAt: new Date(now + this.leaseMs), leasedBy: this.nodeId },
          $inc: { attempts: 1 },
        },
        { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
      )
      .select('_id eventId url body attempts createdAt type')
      .lean<Claimed>()
      .exec();
  }

  private async deliver(entry: Claimed, shutdown: AbortSignal): Promise<void> {
    const outcome = await this.post(entry, shutdown);
    // Only while the lease is still ours: a holder that took too long changes nothing.
    const mine = { _id: entry._id, leasedBy: this.nodeId, attempts: entry.attempts };
    const now = Date.now();
    if (outcome === 'delivered') {
      await this.entries
        .updateOne(mine, {
          $set: { status: 'delivered', expiresAt: new Date(now + KEEP_FINISHED_MS) },
          $unset: { leasedBy: 1, lastError: 1 },
        })
        .exec();
      return;
    }
    if (outcome === 'abandoned') {
      await this.release(entry);
      return;
    }
    const next = nextAttemptAt(new Date(entry.createdAt).getTime(), entry.attempts, now);
    const giveUp = next === 'give-up';
    this.failures.warn(
      `webhook ${entry.type} ${entry.eventId} not delivered (try ${entry.attempts}: ${outcome.error})${giveUp ? ': given up after 24 h' : ''}`,
    );
    await this.entries
      .updateOne(
        mine,
        giveUp
          ? {
              $set: {
                status: 'failed',
                lastError: outcome.error,
                expiresAt: new Date(now + KEEP_FINISHED_MS),
              },
              $unset: { leasedBy: 1 },
            }
          : {
              $set: { nextAttemptAt: new Date(next), lastError: outcome.error },
              $unset: { leasedBy: 1 },
            },
      )
      .exec();
    if (!giveUp) this.wakeAt(next);
  }

  /** Pumps at `at` (ms) rather than at the next poll: retries go out when they are due. */
  private wakeAt(at: number): void {
    if (this.stopped) return;
    if (this.retryTimer && this.retryTimer.at <= at) return;
    clearTimeout(this.retryTimer?.timer);
    const timer = setTimeout(
      () => {
        this.retryTimer = undefined;
        this.pump();
      },
      Math.max(0, at - Date.now()),
    );
    timer.unref();
    this.retryTimer = { at, timer };
  }

  /** Shutting down: the next sender (any instance, or this one restarted) tries it now. */
  private async release(entry: Claimed): Promise<void> {
    await this.entries
      .updateOne(
        { _id: entry._id, leasedBy: this.nodeId, attempts: entry.attempts },
        {
          $set: { nextAttemptAt: new Date() },
          $inc: { attempts: -1 },
          $unset: { leasedBy: 1 },
        },
      )
      .exec();
  }

  /** One signed POST; the answer's status only (its body is cancelled unread). */
  private async post(
    entry: Claimed,
    shutdown: AbortSignal,
  ): Promise<'delivered' | 'abandoned' | { error: string }> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(entry.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'meet-backend-webhooks/1',
          'Webhook-Id': entry.eventId,
          'Webhook-Signature': signatureHeader(this.secret, entry.body, timestamp),
        },
        body: entry.body,
        // A redirect is an answer like any other non-2xx: never followed (it could lead anywhere).
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), shutdown]),
      });
      void response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return 'delivered';
      return { error: `HTTP ${response.status}` };
    } catch (error) {
      if (shutdown.aborted) return 'abandoned';
      const failure = error as { name?: string; cause?: { code?: string } };
      if (failure.name === 'TimeoutError')
        return { error: `no answer within ${this.timeoutMs} ms` };
      return { error: failure.cause?.code ?? failure.name ?? 'network error' };
    }
  }
}
