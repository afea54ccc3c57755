import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../../config/configuration.js';
import type { SignalingConfig } from '../signaling.config.js';
import type { IceServersResponse } from '../protocol/events.js';

/**
 * STUN and TURN servers for RTCPeerConnection. TURN credentials follow the coturn REST-API
 * scheme (`use-auth-secret`): username `<unix expiry>:<user id or guest id>`, credential
 * base64(HMAC-SHA1(secret, username)), valid for TURN_TTL.
 */
@Injectable()
export class IceServersService {
  private readonly config: SignalingConfig;

  constructor(config: ConfigService<AppConfig, true>) {
    this.config = config.get('signaling', { infer: true });
  }

  forIdentity(identity: string, now = Date.now()): IceServersResponse {
    const iceServers: IceServersResponse['iceServers'] = [];
    if (this.config.stunUrls.length > 0) iceServers.push({ urls: [...this.config.stunUrls] });
    const turn = this.config.turn;
    if (!turn) return { iceServers, ttl: 0 };
    const username = `${Math.floor(now / 1000) + turn.ttlSeconds}:${identity}`;
    const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
    iceServers.push({ urls: [...turn.urls], username, credential });
    return { iceServers, ttl: turn.ttlSeconds };
  }
}
