import { type INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { createRedisClient, waitUntilReady } from '../../common/redis-client.js';
import { ThrottledLog } from '../../common/throttled-log.js';
import type { AppConfig } from '../../config/configuration.js';
import { BoundedRecoveryAdapter } from './bounded-recovery.adapter.js';

/** How long start-up waits for Redis before serving anyway (the clients keep retrying). */
const REDIS_READY_WAIT_MS = 5_000;

/** How long a publish may wait for Redis before the adapter gives up on it. */
const PUBLISH_TIMEOUT_MS = 1_000;

/**
 * About how many packets the stream keeps (XADD MAXLEN ~): a socket recovers only if the
 * packets since its last one are still there (otherwise it joins again as a new socket).
 * The stream carries room broadcasts and messages to sockets on another instance (messages
 * to a socket connected here are written directly). 20,000 covers a 30 s grace window at over
 * 600 such packets a second, for at most some tens of MB of Redis memory (signals carry SDP
 * of a few KB).
 */
const STREAM_MAX_LENGTH = 20_000;
/**
 * Entries read from the stream per round trip. The adapter's default (100) made an instance
 * that fell behind under load catch up 100 entries per round trip.
 */
const STREAM_READ_COUNT = 1_000;

/**
 * Socket.IO server options that come from configuration (gateway decorators are static):
 * CORS like the REST API, a bounded message size, the default path the client expects, and
 * connection state recovery for the grace window (RECONNECT_GRACE).
 *
 * With REDIS_URL, `@socket.io/redis-streams-adapter` carries emits between instances through a
 * Redis stream: unlike the pub/sub adapter, it resumes reading where it stopped after a Redis
 * disconnection (nothing published meanwhile is lost to the other instances), and it keeps
 * recovery sessions in Redis, so a dropped socket may come back on any instance.
 *
 * A Redis outage must not take the instance down or stall it: the client that publishes
 * (XADD, sessions) fails fast instead of queueing without bound while Redis is away
 * (`enableOfflineQueue: false`), and the adapter then still delivers a broadcast to the sockets
 * of this instance; the clients it duplicates to read the stream and to subscribe wait for
 * Redis instead (failing fast, their read loop would spin).
 */
export class SignalingIoAdapter extends IoAdapter {
  private readonly log = new Logger('Signaling');
  private readonly publishFailures = new ThrottledLog(this.log);
  private redisClients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  /** Connects the adapter's Redis client (before the server starts listening). */
  async connect(): Promise<void> {
    if (!this.config.redis || this.redisClients.length > 0) return;
    const url = this.config.redis.url;
    const publisher = createRedisClient(url, 'Socket.IO adapter (publish)', {
      enableOfflineQueue: false,
      // A Redis that hangs (connection open, no answers) must not hold this instance's own
      // deliveries, which wait for the XADD: after this, they go out anyway.
      commandTimeout: PUBLISH_TIMEOUT_MS,
    });
    let readers = 0;
    // The adapter duplicates it for its stream reader and its subscriber: patient clients.
    publisher.duplicate = () => {
      const client = createRedisClient(url, `Socket.IO adapter (read ${++readers})`, {
        maxRetriesPerRequest: null,
      });
      this.redisClients.push(client);
      return client;
    };
    this.catchUnawaitedFailures(publisher);
    this.redisClients.push(publisher);
    if (!(await waitUntilReady(publisher, REDIS_READY_WAIT_MS)))
      this.log.warn('Redis is not reachable yet: serving this instance alone until it is');
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const overrides: Partial<ServerOptions> = {
      path: '/socket.io',
      maxHttpBufferSize: this.config.signaling.maxMessageBytes,
      cors: { origin: this.config.http.corsOrigins },
    };
    // A dropped socket may come back within the grace window with its id, rooms and the
    // packets it missed (on any instance when scaled out); the handshake (token check) runs
    // again when it does.
    const graceMs = this.config.signaling.reconnectGraceMs;
    if (graceMs > 0) {
      overrides.connectionStateRecovery = {
        maxDisconnectionDuration: graceMs,
        skipMiddlewares: false,
      };
    }
    const server: Server = super.createIOServer(port, {
      ...options,
      ...overrides,
    } as ServerOptions);
    // One instance: Socket.IO's own recovery adapter, with its memory bounded.
    if (!this.config.redis && graceMs > 0) server.adapter(BoundedRecoveryAdapter);
    if (this.config.redis) {
      if (this.redisClients.length === 0)
        throw new Error('SignalingIoAdapter.connect() must run before the gateway starts');
      const prefix = `${this.config.redis.keyPrefix}socket.io`;
      server.adapter(
        createAdapter(this.redisClients[0], {
          streamName: prefix,
          sessionKeyPrefix: `${prefix}:session:`,
          channelPrefix: prefix,
          maxLen: STREAM_MAX_LENGTH,
          readCount: STREAM_READ_COUNT,
        }),
      );
    }
    return server;
  }

  /**
   * After the sockets were closed (SignalingGateway's shutdown). Nest closes the HTTP server
   * the Socket.IO server shares (super.close returns at once); the Redis clients are cut
   * here, without waiting on Redis, so an outage cannot hold the shutdown.
   */
  override async close(server: Server): Promise<void> {
    await super.close(server);
    // With forceCloseConnections, Nest leaves the Socket.IO server (and so its adapter) open:
    // closed here, the adapter stops its stream reader, which would otherwise retry at once,
    // forever, on a client cut below.
    await server.of('/').adapter.close();
    for (const client of this.redisClients.splice(0)) client.disconnect();
  }

  /**
   * The adapter does not await two of its commands: a recovery session's SET when a socket
   * drops, and the PUBLISH of its requests to the other instances. While Redis is away they
   * fail (the session is not kept: that socket rejoins afresh); logged here, throttled.
   */
  private catchUnawaitedFailures(publisher: Redis): void {
    const warn = (error: unknown): void =>
      this.publishFailures.warn(
        `could not reach the other instances through Redis: ${String((error as Error).message)}`,
      );
    const set = Redis.prototype.set.bind(publisher) as (...args: unknown[]) => Promise<unknown>;
    const publish = Redis.prototype.publish.bind(publisher);
    Object.assign(publisher, {
      set: (...args: unknown[]) =>
        set(...args).catch((error: unknown) => {
          warn(error);
          return null;
        }),
      publish: (channel: string | Buffer, message: string | Buffer) =>
        publish(channel, message).catch((error: unknown) => {
          warn(error);
          return 0;
        }),
    });
  }
}
