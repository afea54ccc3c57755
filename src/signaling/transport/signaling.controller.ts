import { Controller, Get, Param, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { AuthenticatedUser } from '../../auth/authenticated-user.js';
import { CurrentUser } from '../../auth/current-user.decorator.js';
import { OptionalAuth } from '../../auth/public.decorator.js';
import { ErrorEnvelopeDto } from '../../common/error-envelope.dto.js';
import type { AppConfig } from '../../config/configuration.js';
import { CallService, toPresenceEntry } from '../call/call.service.js';
import { IceServersService } from '../call/ice-servers.service.js';
import { normalizeRoomId } from '../protocol/room-id.js';
import { IceServersDto, MeetingParticipantDto, RoomStatsDto } from './dto/signaling.dto.js';
import { SocketPresence } from './socket-presence.js';

@ApiTags('signaling')
@Controller()
export class SignalingController {
  private readonly allowGuests: boolean;

  constructor(
    private readonly call: CallService,
    private readonly iceServers: IceServersService,
    private readonly presence: SocketPresence,
    config: ConfigService<AppConfig, true>,
  ) {
    this.allowGuests = config.get('signaling', { infer: true }).allowGuests;
  }

  @OptionalAuth()
  @Get('ice-servers')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'STUN/TURN servers for RTCPeerConnection',
    description:
      'Signed in (Bearer) or, while guests are allowed, anonymous. TURN credentials are time-limited.',
  })
  @ApiOkResponse({ type: IceServersDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  getIceServers(@CurrentUser({ optional: true }) user?: AuthenticatedUser): IceServersDto {
    if (user) return this.iceServers.forIdentity(user.userId);
    if (!this.allowGuests) throw new UnauthorizedException('Authentication required');
    return this.iceServers.forIdentity(`guest-${randomUUID()}`);
  }

  @ApiBearerAuth()
  @Get('rooms/stats')
  @ApiOperation({ summary: 'Rooms, participants and connected sockets right now' })
  @ApiOkResponse({ type: RoomStatsDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  async stats(): Promise<RoomStatsDto> {
    const { rooms, participants } = await this.call.roomStats();
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
    return (await this.call.participants(roomId)).map(toPresenceEntry);
  }
}
