import { type INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { createRedisClient, waitUntilReady } from '../../common/redis-client.js';
import { ThrottledLog } from '../../common/throttled-log.js';
import type { AppConfig } from '../../config/configuration.js';

/** How long start-up waits for Redis before serving anyway (the clients keep retrying). */
const REDIS_READY_WAIT_MS = 5_000;

/**
 * Socket.IO server options that come from configuration (gateway decorators are static):
 * CORS like the REST API, a bounded message size, the default path the client expects. With
 * REDIS_URL, the official Redis adapter carries emits between instances (a signal to a socket
 * on another instance, a room broadcast spanning several).
 *
 * A Redis outage must not take the instance down: the publishing client fails fast instead of
 * queueing without bound while Redis is away (`enableOfflineQueue: false`), and the adapter's
 * publishes, which it does not await, are caught and logged (throttled) here. Sockets on this
 * instance keep being served; only the hop to other instances is lost while Redis is down.
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

  /** Connects the adapter's Redis clients (before the server starts listening). */
  async connect(): Promise<void> {
    if (!this.config.redis || this.redisClients.length > 0) return;
    const url = this.config.redis.url;
    const publisher = createRedisClient(url, 'Socket.IO adapter (publish)', {
      enableOfflineQueue: false,
    });
    // Its (p)subscribe commands wait for Redis however long it is away: ioredis re-subscribes
    // after a reconnection only to channels whose subscription once succeeded.
    const subscriber = createRedisClient(url, 'Socket.IO adapter (subscribe)', {
      maxRetriesPerRequest: null,
    });
    this.catchPublishFailures(publisher);
    this.redisClients = [publisher, subscriber];
    const ready = await Promise.all(
      this.redisClients.map((client) => waitUntilReady(client, REDIS_READY_WAIT_MS)),
    );
    if (ready.includes(false))
      this.log.warn('Redis is not reachable yet: serving this instance alone until it is');
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const overrides: Partial<ServerOptions> = {
      path: '/socket.io',
      maxHttpBufferSize: this.config.signaling.maxMessageBytes,
      cors: { origin: this.config.http.corsOrigins },
    };
    // A dropped socket may come back within the grace window with its id, rooms and the
    // packets it missed; the handshake (token check) runs again when it does.
    // Not scaled out: the Redis pub/sub adapter keeps no sessions to recover.
    const graceMs = this.config.signaling.reconnectGraceMs;
    if (graceMs > 0 && !this.config.redis) {
      overrides.connectionStateRecovery = {
        maxDisconnectionDuration: graceMs,
        skipMiddlewares: false,
      };
    }
    const server: Server = super.createIOServer(port, {
      ...options,
      ...overrides,
    } as ServerOptions);
    if (this.config.redis) {
      if (this.redisClients.length === 0)
        throw new Error('SignalingIoAdapter.connect() must run before the gateway starts');
      const [publisher, subscriber] = this.redisClients;
      server.adapter(
        createAdapter(publisher, subscriber, { key: `${this.config.redis.keyPrefix}socket.io` }),
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
    for (const client of this.redisClients.splice(0)) client.disconnect();
  }

  private catchPublishFailures(publisher: Redis): void {
    const publish = (channel: string, message: string | Buffer): Promise<number> =>
      Redis.prototype.publish.call(publisher, channel, message);
    publisher.publish = (channel: string | Buffer, message: string | Buffer) =>
      publish(String(channel), message).catch((error: unknown) => {
        this.publishFailures.warn(
          `could not reach the other instances through Redis: ${String((error as Error).message)}`,
        );
        return 0;
      });
  }
}
