import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import mongoose, { type ConnectOptions, type Connection } from 'mongoose';
import { DATABASE_URI } from './database-uri.module.js';
import { redactDatabaseUri } from './database-errors.js';
import { TIMED_OUT, withinTimeLimit } from '../common/time-limit.js';

/**
 * Command buffering is off, so a query issued while the database is away fails at once
 * (503) instead of waiting in a queue; server selection gives up after a few seconds.
 */
export const CONNECTION_OPTIONS = {
  bufferCommands: false,
  autoIndex: true,
  serverSelectionTimeoutMS: 5_000,
} as const satisfies ConnectOptions;

const INITIAL_RETRY_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 15_000;

/**
 * Watches the connection: logs its state changes (never the credentials), and retries the
 * first connection until it succeeds. Once connected, the driver itself reconnects.
 */
@Injectable()
export class DatabaseConnectionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Database');
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;
  private indexesReady = false;
  private indexing?: Promise<void>;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    @Inject(DATABASE_URI) private readonly uri: string,
  ) {}

  onApplicationBootstrap(): void {
    const target = redactDatabaseUri(this.uri);
    let everConnected = false;
    this.connection.on('connected', () => {
      everConnected = true;
      this.logger.log(`connected to ${target}`);
      void this.ensureIndexes();
    });
    if (this.isConnected()) void this.ensureIndexes();
    this.connection.on('disconnected', () => {
      if (everConnected && !this.stopped) this.logger.warn(`disconnected from ${target}`);
    });
    this.connection.on('reconnected', () => this.logger.log(`reconnected to ${target}`));
    // Without a listener Mongoose rethrows connection errors as uncaught; failed first
    // attempts are reported by watchConnectionAttempt instead.
    this.connection.on('error', (error: Error) => {
      if (everConnected) this.logger.warn(`database error: ${error.message}`);
    });
    this.watchConnectionAttempt(INITIAL_RETRY_DELAY_MS);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    // Mongoose's close() waits for a pending connection attempt to time out; end it now so
    // shutdown is not held up by an unreachable database.
    if (this.connection.readyState === mongoose.ConnectionStates.connecting) {
      await this.connection
        .getClient()
        .close(true)
        .catch(() => undefined);
    }
  }

  isConnected(): boolean {
    return this.connection.readyState === mongoose.ConnectionStates.connected;
  }

  /**
   * Creates every model's schema indexes (unique usernames, TTL sessions, ...). Mongoose's own
   * autoIndex gives up when the first connection is not open yet (buffering is off and the
   * connection lazy), so this runs whenever a connection opens. Idempotent.
   */
  private async ensureIndexes(): Promise<void> {
    if (this.indexing) return this.indexing;
    this.indexing = (async () => {
      try {
        for (const model of Object.values(this.connection.models)) await model.createIndexes();
        this.indexesReady = true;
      } catch (error) {
        this.logger.warn(`could not create indexes yet: ${(error as Error).message}`);
      } finally {
        this.indexing = undefined;
      }
    })();
    return this.indexing;
  }

  /** True when the database answers a ping within `timeoutMs` and its indexes exist. */
  async ping(timeoutMs = 2_000): Promise<boolean> {
    const db = this.connection.db;
    if (!this.isConnected() || !db) return false;
    if (!this.indexesReady) await this.ensureIndexes();
    if (!this.indexesReady) return false;
    try {
      return (await withinTimeLimit(db.command({ ping: 1 }), timeoutMs)) !== TIMED_OUT;
    } catch {
      return false;
    }
  }

  private watchConnectionAttempt(delayMs: number): void {
    this.connection.asPromise().then(
      () => undefined,
      (error: Error) => {
        if (this.stopped) return;
        this.logger.warn(
          `database unreachable at ${redactDatabaseUri(this.uri)} (${error.message}); retrying in ${delayMs / 1000}s`,
        );
        this.retryTimer = setTimeout(() => {
          if (this.stopped) return;
          this.connection.openUri(this.uri, CONNECTION_OPTIONS).catch(() => undefined);
          this.watchConnectionAttempt(Math.min(delayMs * 2, MAX_RETRY_DELAY_MS));
        }, delayMs);
        this.retryTimer.unref();
      },
    );
  }
}
