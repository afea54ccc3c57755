import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthModule } from '../auth/auth.module.js';
import type { AppConfig } from '../config/configuration.js';
import { ChatService } from './chat.service.js';
import { IceServersService } from './ice-servers.service.js';
import { InMemoryRoomRegistry } from './in-memory-room-registry.js';
import { Redis } from 'ioredis';
import { RedisRoomRegistry } from './redis-room-registry.js';
import { ROOM_REGISTRY, type RoomRegistry } from './room-registry.js';
import { ChatMessage, chatMessageSchema } from './schemas/chat-message.schema.js';
import { SignalingController } from './signaling.controller.js';
import { SignalingGateway } from './signaling.gateway.js';
import { SocketPresence } from './socket-presence.js';

@Module({
  imports: [
    AuthModule,
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
    SignalingGateway,
    ChatService,
    IceServersService,
    SocketPresence,
    {
      // In memory for one process; shared through Redis when REDIS_URL is set.
      provide: ROOM_REGISTRY,
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>): RoomRegistry => {
        const redis = config.get('redis', { infer: true });
        return redis
          ? new RedisRoomRegistry(new Redis(redis.url), redis.keyPrefix)
          : new InMemoryRoomRegistry();
      },
    },
  ],
  exports: [ROOM_REGISTRY],
})
export class SignalingModule {}
