import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthModule } from '../auth/auth.module.js';
import type { AppConfig } from '../config/configuration.js';
import { ChatService } from './chat.service.js';
import { IceServersService } from './ice-servers.service.js';
import { InMemoryRoomRegistry } from './in-memory-room-registry.js';
import { ROOM_REGISTRY } from './room-registry.js';
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
    { provide: ROOM_REGISTRY, useClass: InMemoryRoomRegistry },
  ],
  exports: [ROOM_REGISTRY],
})
export class SignalingModule {}
