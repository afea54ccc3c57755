import { randomUUID } from 'node:crypto';
import {
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
  UnauthorizedException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AccessTokenService, accessTokenFrom } from '../../auth/access-token.service.js';
import type { AuthenticatedUser } from '../../auth/authenticated-user.js';
import { SessionEvents } from '../../auth/session-events.js';
import type { AppConfig } from '../../config/configuration.js';
import type { SignalingServer, SignalingSocket } from './socket-types.js';
import { addressKey } from '../../rate-limits/address-key.js';
import { clientAddressOf, compileTrust, type TrustFunction } from '../../common/trust-proxy.js';

/** setTimeout's limit (~24.8 days); longer tokens are re-checked when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Told every instance (Socket.IO's server-side emit) that a token was signed out. */
const SESSION_REVOKED = 'session-revoked';

/** The Socket.IO room of every socket signed in with one token, on any instance. */
function sessionRoom(jti: string): string {
  return `session:${jti}`;
}

/**
 * Who a socket is, for as long as it may stay: the handshake's token check (or a guest, when
 * allowed), and the end of a signed-in socket when its token expires or its session is
 * signed out (`session-ended`, then disconnect).
 */
@Injectable()
export class SocketSessions implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Signaling');
  private readonly allowGuests: boolean;
  private readonly trust: TrustFunction;
  /** Whether other instances hold sockets too (Redis): only then are they told of sign-outs. */
  private readonly scaledOut: boolean;
  private server?: SignalingServer;
  private stopListening?: () => void;
  /** Each signed-in socket's expiry timer (a timer is not data Socket.IO could store). */
  private readonly expiryTimers = new WeakMap<SignalingSocket, NodeJS.Timeout>();
  /**
   * Signed-in sockets that dropped from this instance and keep their place for a while (in no
   * Socket.IO room, so a sign-out cannot reach them there): by token, socket id → until (ms).
   */
  private readonly away = new Map<string, Map<string, number>>();
  /** The same, by socket: the token it dropped with (it may come back with another). */
  private readonly awayTokens = new Map<string, string>();
  private awayRevoked?: (socketIds: string[]) => void;

  constructor(
    private readonly tokens: AccessTokenService,
    private readonly sessionEvents: SessionEvents,
    config: ConfigService<AppConfig, true>,
  ) {
    this.allowGuests = config.get('signaling', { infer: true }).allowGuests;
    this.trust = compileTrust(config.get('http', { infer: true }).trustProxy);
    this.scaledOut = config.get('redis', { infer: true }) !== undefined;
  }

  /** Called by the gateway once Socket.IO's server exists. */
  attach(server: SignalingServer): void {
    this.server = server;
    // Another instance signed a token out: its sockets that dropped from here end too.
    server.on(SESSION_REVOKED, (jti: unknown) => {
      if (typeof jti === 'string') this.endAway(jti);
    });
  }

  /** Who ends the places of signed-out sockets that dropped from here (the call rules). */
  onAwayRevoked(listener: (socketIds: string[]) => void): void {
    this.awayRevoked = listener;
  }

  /** A signed-in socket dropped from here; it keeps its place until `until` (ms). */
  wentAway(socket: SignalingSocket, until: number): void {
    const user = socket.data.caller.user;
    if (!user) return;
    const now = Date.now();
    // Forget what ended on its own (a bounded map: one entry per socket away right now).
    for (const [jti, sockets] of this.away) {
      for (const [socketId, deadline] of sockets) {
        if (deadline >= now) continue;
        sockets.delete(socketId);
        this.awayTokens.delete(socketId);
      }
      if (sockets.size === 0) this.away.delete(jti);
    }
    let sockets = this.away.get(user.jti);
    if (!sockets) this.away.set(user.jti, (sockets = new Map<string, number>()));
    sockets.set(socket.id, until);
    this.awayTokens.set(socket.id, user.jti);
  }

  /** A socket recovered its connection here: no longer away. */
  cameBack(socket: SignalingSocket): void {
    const jti = this.awayTokens.get(socket.id);
    if (jti === undefined) return;
    this.awayTokens.delete(socket.id);
    const sockets = this.away.get(jti);
    sockets?.delete(socket.id);
    if (sockets?.size === 0) this.away.delete(jti);
  }

  onModuleInit(): void {
    this.stopListening = this.sessionEvents.onRevoked((jti) => this.end(jti));
  }

  onModuleDestroy(): void {
    this.stopListening?.();
  }

  /** The handshake: rejects with the reason the client sees in `connect_error`. */
  async authenticate(socket: SignalingSocket): Promise<void> {
    socket.data.caller = {
      socketId: socket.id,
      guestId: `guest-${randomUUID()}`,
      // Behind a reverse proxy (TRUST_PROXY), the client's address as HTTP requests read it.
      address: addressKey(clientAddressOf(socket.request, this.trust)),
      user: await this.identify(
        // socket.io-client's `auth` option, or `?token=` for clients that only have a URL.
        accessTokenFrom({
          fields: [
            (socket.handshake.auth as Record<string, unknown> | undefined)?.token,
            socket.handshake.query.token,
          ],
        }),
      ),
    };
  }

  /** A connected socket: ends with its session. */
  started(socket: SignalingSocket): void {
    const user = socket.data.caller.user;
    if (!user) return;
    void socket.join(sessionRoom(user.jti));
    this.scheduleExpiry(socket, user.expiresAt.getTime());
  }

  ended(socket: SignalingSocket): void {
    clearTimeout(this.expiryTimers.get(socket));
    this.expiryTimers.delete(socket);
  }

  private async identify(token: string | undefined): Promise<AuthenticatedUser | undefined> {
    if (token === undefined) {
      if (!this.allowGuests) throw new Error('Sign-in required: guests are not allowed');
      return undefined;
    }
    try {
      return await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof UnauthorizedException) throw new Error(error.message);
      this.logger.warn(`handshake failed: ${String((error as Error).message)}`);
      throw new Error('Service temporarily unavailable');
    }
  }

  private scheduleExpiry(socket: SignalingSocket, expiresAt: number): void {
    const timer = setTimeout(
      () => {
        if (Date.now() >= expiresAt) {
          // At once, before the disconnect (socket.emit would wait for Redis, scaled out).
          this.server?.local.to(socket.id).emit('session-ended', 'token-expired');
          socket.disconnect(true);
        } else {
          this.scheduleExpiry(socket, expiresAt);
        }
      },
      Math.max(0, Math.min(expiresAt - Date.now(), MAX_TIMER_MS)),
    );
    timer.unref();
    this.expiryTimers.set(socket, timer);
  }

  /**
   * Disconnects every socket signed in with a revoked token, on every instance. This
   * instance's own sockets first and directly: the Redis adapter delivers even to them only
   * once Redis took the message, and a Redis outage must not keep a signed-out socket
   * connected (nor disconnect it before it was told why). Gone at once, they are not in the
   * session's room any more when the cluster-wide messages come back to this instance.
   */
  private end(jti: string): void {
    if (!this.server) return;
    this.server.local.to(sessionRoom(jti)).emit('session-ended', 'signed-out');
    this.server.local.in(sessionRoom(jti)).disconnectSockets(true);
    this.server.to(sessionRoom(jti)).emit('session-ended', 'signed-out');
    this.server.in(sessionRoom(jti)).disconnectSockets(true);
    // Its sockets that dropped and keep their place (here, and on every other instance).
    this.endAway(jti);
    // One process: no other instance (the in-memory adapter would only warn on the console).
    if (this.scaledOut) this.server.serverSideEmit(SESSION_REVOKED, jti);
  }

  /** The places of a signed-out token's sockets that dropped from here end now. */
  private endAway(jti: string): void {
    const sockets = this.away.get(jti);
    if (!sockets) return;
    this.away.delete(jti);
    for (const socketId of sockets.keys()) this.awayTokens.delete(socketId);
    this.awayRevoked?.([...sockets.keys()]);
  }
}
