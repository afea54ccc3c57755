import { Controller, Get, Param, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { AuthenticatedUser } from '../../auth/authenticated-user.js';
import { CurrentUser } from '../../auth/current-user.decorator.js';
import { OptionalAuth } from '../../auth/public.decorator.js';
import { ClientAddress } from '../../common/client-address.decorator.js';
import { ErrorEnvelopeDto } from '../../common/error-envelope.dto.js';
import { RateLimitedException } from '../../common/rate-limited.exception.js';
import type { AppConfig } from '../../config/configuration.js';
import { addressKey } from '../../rate-limits/address-key.js';
import type { KeyedLimiter } from '../../rate-limits/keyed-limiter.js';
import { RateLimits } from '../../rate-limits/rate-limits.js';
import { CallService, toPresenceEntry } from '../call/call.service.js';
import { IceServersService } from '../call/ice-servers.service.js';
import { normalizeRoomId } from '../protocol/room-id.js';
import { IceServersDto, MeetingParticipantDto, RoomStatsDto } from './dto/signaling.dto.js';
import { SocketPresence } from './socket-presence.js';

@ApiTags('signaling')
@Controller()
export class SignalingController {
  private readonly allowGuests: boolean;
  /** TURN credentials per signed-in user, or per client address (IPv6: /64) for guests. */
  private readonly iceServersLimit: KeyedLimiter;

  constructor(
    private readonly call: CallService,
    private readonly iceServers: IceServersService,
    private readonly presence: SocketPresence,
    rateLimits: RateLimits,
    config: ConfigService<AppConfig, true>,
  ) {
    const signaling = config.get('signaling', { infer: true });
    this.allowGuests = signaling.allowGuests;
    this.iceServersLimit = rateLimits.shared('ice-servers', signaling.iceServersRateLimit);
  }

  @OptionalAuth()
  @Get('ice-servers')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'STUN/TURN servers for RTCPeerConnection',
    description:
      'Signed in (Bearer) or, while guests are allowed, anonymous. TURN credentials are time-limited. Rate-limited per user, or per client address for guests (RATE_LIMIT_ICE_SERVERS_PER_MINUTE).',
  })
  @ApiOkResponse({ type: IceServersDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  @ApiTooManyRequestsResponse({ type: ErrorEnvelopeDto, description: 'See Retry-After' })
  async getIceServers(
    @ClientAddress() address: string,
    @CurrentUser({ optional: true }) user?: AuthenticatedUser,
  ): Promise<IceServersDto> {
    if (!user && !this.allowGuests) throw new UnauthorizedException('Authentication required');
    const decision = await this.iceServersLimit.consume(
      user ? `user:${user.userId}` : `address:${addressKey(address)}`,
    );
    if (!decision.allowed) throw new RateLimitedException(decision.retryAfterMs);
    return this.iceServers.forIdentity(user ? user.userId : `guest-${randomUUID()}`);
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
