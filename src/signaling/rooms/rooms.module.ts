import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createRedisClient } from '../../common/redis-client.js';
import type { AppConfig } from '../../config/configuration.js';
import { MEETING_PRESENCE, type MeetingPresence } from '../../meetings/meeting-presence.js';
import { InMemoryRoomRegistry } from './in-memory-room-registry.js';
import { RedisRoomRegistry, registryClientOptions } from './redis-room-registry.js';
import { ROOM_REGISTRY, type RoomRegistry } from './room-registry.js';

/**
 * Who is where: the RoomRegistry (in memory for one process; shared through Redis when
 * REDIS_URL is set). Global, so the Meetings module can say whether a meeting is live
 * (MEETING_PRESENCE) without importing the signaling module that depends on it.
 */
@Global()
@Module({
  providers: [
    {
      provide: ROOM_REGISTRY,
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>): RoomRegistry => {
        const redis = config.get('redis', { infer: true });
        if (!redis) return new InMemoryRoomRegistry();
        // While Redis is away or hung a command fails at once or within a second instead of
        // waiting in ioredis' queue: a call event gets `unavailable`, never a long wait.
        const client = createRedisClient(redis.url, 'room registry', registryClientOptions());
        return new RedisRoomRegistry(client, redis.keyPrefix);
      },
    },
    {
      provide: MEETING_PRESENCE,
      inject: [ROOM_REGISTRY],
      useFactory: (registry: RoomRegistry): MeetingPresence => ({
        isLive: async (code) => (await registry.participants(code)).length > 0,
      }),
    },
  ],
  exports: [ROOM_REGISTRY, MEETING_PRESENCE],
})
export class RoomsModule implements OnApplicationShutdown {
  constructor(@Inject(ROOM_REGISTRY) private readonly registry: RoomRegistry) {}

  /** After the sockets are closed: a shared registry forgets this instance's participants. */
  async onApplicationShutdown(): Promise<void> {
    await this.registry.close().catch((error: unknown) => {
      new Logger('Cluster').warn(
        `could not remove this instance's participants from Redis: ${String((error as Error).message)}`,
      );
    });
  }
}
