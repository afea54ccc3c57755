import { Controller, Get, Headers, Inject, Param, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { AuthService } from '../auth/auth.service.js';
import { bearerToken } from '../auth/jwt.strategy.js';
import { ErrorEnvelopeDto } from '../common/error-envelope.dto.js';
import { Public } from '../common/public.decorator.js';
import type { AppConfig } from '../config/configuration.js';
import { IceServersDto, MeetingParticipantDto, RoomStatsDto } from './dto/signaling.dto.js';
import { IceServersService } from './ice-servers.service.js';
import { normalizeRoomId } from './protocol/room-id.js';
import { ROOM_REGISTRY, type RoomRegistry } from './room-registry.js';
import { SocketPresence } from './socket-presence.js';

@ApiTags('signaling')
@Controller()
export class SignalingController {
  private readonly allowGuests: boolean;

  constructor(
    @Inject(ROOM_REGISTRY) private readonly registry: RoomRegistry,
    private readonly iceServers: IceServersService,
    private readonly presence: SocketPresence,
    private readonly auth: AuthService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.allowGuests = config.get('signaling', { infer: true }).allowGuests;
  }

  @Public()
  @Get('ice-servers')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'STUN/TURN servers for RTCPeerConnection',
    description:
      'Signed in (Bearer) or, while guests are allowed, anonymous. TURN credentials are time-limited.',
  })
  @ApiOkResponse({ type: IceServersDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  async getIceServers(@Headers('authorization') authorization?: string): Promise<IceServersDto> {
    const token = bearerToken(authorization);
    if (authorization !== undefined && token === undefined)
      throw new UnauthorizedException('Invalid token');
    if (token !== undefined) {
      const user = await this.auth.authenticateToken(token);
      return this.iceServers.forIdentity(user.userId);
    }
    if (!this.allowGuests) throw new UnauthorizedException('Authentication required');
    return this.iceServers.forIdentity(`guest-${randomUUID()}`);
  }

  @ApiBearerAuth()
  @Get('rooms/stats')
  @ApiOperation({ summary: 'Rooms, participants and connected sockets right now' })
  @ApiOkResponse({ type: RoomStatsDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  async stats(): Promise<RoomStatsDto> {
    const { rooms, participants } = await this.registry.stats();
    return { rooms, participants, sockets: this.presence.connectedSockets() };
  }

  @ApiBearerAuth()
  @Get('meetings/:code/participants')
  @ApiOperation({ summary: 'Who is in a meeting now' })
  @ApiOkResponse({ type: [MeetingParticipantDto] })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  async participants(@Param('code') code: string): Promise<MeetingParticipantDto[]> {
    const roomId = normalizeRoomId(code);
    if (roomId === undefined) return [];
    const participants = await this.registry.participants(roomId);
    return participants.map((participant) => ({
      name: participant.name,
      joinedAt: new Date(participant.joinedAt),
      media: participant.media,
      handRaised: participant.handRaised,
      signedIn: participant.userId !== undefined,
    }));
  }
}
