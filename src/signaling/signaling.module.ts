import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthModule } from '../auth/auth.module.js';
import type { AppConfig } from '../config/configuration.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RateLimitsModule } from '../rate-limits/rate-limits.module.js';
import { CallService } from './call/call.service.js';
import { IceServersService } from './call/ice-servers.service.js';
import { ROOM_NOTIFIER } from './call/room-notifier.js';
import { ChatHistoryRepository } from './chat/chat-history.repository.js';
import { ChatMessage, chatMessageSchema } from './chat/chat-message.schema.js';
import { InstanceHeartbeat } from './rooms/instance-heartbeat.js';
import { ROOM_REGISTRY, type RoomRegistry } from './rooms/room-registry.js';
import { RoomsModule } from './rooms/rooms.module.js';
import { MEETING_RULES } from './call/meeting-rules.js';
import { MeetingsModule } from '../meetings/meetings.module.js';
import { MeetingsService } from '../meetings/meetings.service.js';
import { AttendanceRecorder } from '../meetings/attendance.recorder.js';
import { CALL_RECORDER } from './call/call-recorder.js';
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
    MeetingsModule,
    RateLimitsModule,
    RoomsModule,
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
    // Registered meetings' settings, as the Meetings module keeps them.
    { provide: MEETING_RULES, useExisting: MeetingsService },
    // Sessions, attendance and their webhooks, as the Meetings module records them.
    { provide: CALL_RECORDER, useExisting: AttendanceRecorder },
  ],
})
export class SignalingModule implements OnModuleInit {
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
}
