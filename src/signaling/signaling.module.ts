import {
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthModule } from '../auth/auth.module.js';
import { createRedisClient } from '../common/redis-client.js';
import type { AppConfig } from '../config/configuration.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RateLimitsModule } from '../rate-limits/rate-limits.module.js';
import { CallService } from './call/call.service.js';
import { IceServersService } from './call/ice-servers.service.js';
import { ROOM_NOTIFIER } from './call/room-notifier.js';
import { ChatHistoryRepository } from './chat/chat-history.repository.js';
import { ChatMessage, chatMessageSchema } from './chat/chat-message.schema.js';
import { InMemoryRoomRegistry } from './rooms/in-memory-room-registry.js';
import { InstanceHeartbeat } from './rooms/instance-heartbeat.js';
import { RedisRoomRegistry } from './rooms/redis-room-registry.js';
import { ROOM_REGISTRY, type RoomRegistry } from './rooms/room-registry.js';
import { SignalingController } from './transport/signaling.controller.js';
import { SignalingGateway } from './transport/signaling.gateway.js';
import { SocketIoRoomNotifier } from './transport/socket-io-room-notifier.js';
import { SocketPresence } from './transport/socket-presence.js';
import { SocketSessions } from './transport/socket-sessions.js';

/**
 * The real-time side of a call, in four parts: `protocol/` (events, limits, parsers),
 * `call/` (the rules), `rooms/` (who is where, shared by every instance) and `transport/`
 * (Socket.IO and REST), plus `chat/` (history storage).
 */
@Module({
  imports: [
    AuthModule,
    RateLimitsModule,
    MongooseModule.forFeatureAsync([
      {
        name: ChatMessage.name,
        inject: [ConfigService],
        useFactory: (config: ConfigService<AppConfig, true>) =>
          chatMessageSchema(config.get('signaling', { infer: true }).chatRetentionSeconds),
      },
    ]),
  ],
  controllers: [SignalingController],
  providers: [
    CallService,
    IceServersService,
    ChatHistoryRepository,
    InstanceHeartbeat,
    SignalingGateway,
    SocketSessions,
    SocketPresence,
    SocketIoRoomNotifier,
    { provide: ROOM_NOTIFIER, useExisting: SocketIoRoomNotifier },
    {
      // In memory for one process; shared through Redis when REDIS_URL is set.
      provide: ROOM_REGISTRY,
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>): RoomRegistry => {
        const redis = config.get('redis', { infer: true });
        if (!redis) return new InMemoryRoomRegistry();
        // While Redis is away a command fails after two reconnection attempts instead of
        // waiting in ioredis' queue: a call event gets an error, never an endless wait.
        const client = createRedisClient(redis.url, 'room registry', {
          maxRetriesPerRequest: 2,
          connectTimeout: 2_000,
        });
        return new RedisRoomRegistry(client, redis.keyPrefix);
      },
    },
  ],
  exports: [ROOM_REGISTRY],
})
export class SignalingModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(ROOM_REGISTRY) private readonly registry: RoomRegistry,
    private readonly presence: SocketPresence,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.metrics.observeSignaling(
      () => this.registry.stats(),
      () => this.presence.connectedSockets(),
    );
  }

  /** After the sockets are closed: a shared registry forgets this instance's participants. */
  async onApplicationShutdown(): Promise<void> {
    await this.registry.close().catch((error: unknown) => {
      new Logger('Cluster').warn(
        `could not remove this instance's participants from Redis: ${String((error as Error).message)}`,
      );
    });
  }
}
