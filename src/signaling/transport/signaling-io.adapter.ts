import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../../config/configuration.js';

/**
 * Socket.IO server options that come from configuration (gateway decorators are static):
 * CORS like the REST API, a bounded message size, the default path the client expects. With
 * REDIS_URL, the official Redis adapter carries emits between instances (a signal to a socket
 * on another instance, a room broadcast spanning several).
 */
export class SignalingIoAdapter extends IoAdapter {
  private redisClients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const overrides: Partial<ServerOptions> = {
      path: '/socket.io',
      maxHttpBufferSize: this.config.signaling.maxMessageBytes,
      cors: { origin: this.config.http.corsOrigins },
    };
    const server: Server = super.createIOServer(port, {
      ...options,
      ...overrides,
    } as ServerOptions);
    if (this.config.redis) {
      const publisher = new Redis(this.config.redis.url);
      const subscriber = publisher.duplicate();
      this.redisClients = [publisher, subscriber];
      server.adapter(
        createAdapter(publisher, subscriber, { key: `${this.config.redis.keyPrefix}socket.io` }),
      );
    }
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    for (const client of this.redisClients.splice(0)) client.disconnect();
  }
}
