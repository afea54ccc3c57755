import { randomUUID } from 'node:crypto';
import {
  Inject,
  Logger,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  UnauthorizedException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { DefaultEventsMap, Server, Socket } from 'socket.io';
import { AuthService } from '../auth/auth.service.js';
import { SessionEvents } from '../auth/session-events.js';
import type { AuthenticatedUser } from '../common/authenticated-user.js';
import type { AppConfig, RedisConfig, SignalingConfig } from '../config/configuration.js';
import { isDatabaseUnavailableError } from '../database/database-errors.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ChatService } from './chat.service.js';
import {
  type AckResult,
  CLIENT_EVENTS,
  type ClientEventName,
  type ClientToServerEvents,
  type JoinResult,
  type MediaState,
  type ParticipantView,
  type ServerToClientEvents,
  type SignalingError,
  type SignalingErrorCode,
} from './protocol/events.js';
import { IceServersService } from './ice-servers.service.js';
import { SocketPresence } from './socket-presence.js';
import { normalizeRoomId } from './protocol/room-id.js';
import {
  type Participant,
  ROOM_REGISTRY,
  RoomFullError,
  type RoomRegistry,
} from './room-registry.js';
import { type EventKind, SocketRateLimits } from './socket-rate-limits.js';

export interface SocketData {
  user?: AuthenticatedUser;
  /** Stable id of a guest socket (TURN usernames). */
  guestId: string;
  limits: SocketRateLimits;
  /** Events of one socket are handled one after the other, in arrival order. */
  queue: Promise<void>;
  expiryTimer?: NodeJS.Timeout;
}

export type SignalingServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  DefaultEventsMap,
  SocketData
>;
export type SignalingSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  DefaultEventsMap,
  SocketData
>;
type AckCallback = (result: AckResult) => void;

/** A failure answered to the client as `{ok: false, error: {code, message}}`. */
class SignalingFailure extends Error {
  constructor(
    readonly code: SignalingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const GUEST_NAME = 'Guest';
const NAME_MAX_LENGTH = 64;
const CHAT_MAX_LENGTH = 2000;
const SIGNAL_MAX_BYTES = 64 * 1024;
const SOCKET_ID_MAX_LENGTH = 64;
/** setTimeout's limit (~24.8 days); longer tokens are re-checked when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const EVENT_KINDS: Readonly<Record<ClientEventName, EventKind>> = {
  'join-call': 'joins',
  'leave-call': 'joins',
  signal: 'signals',
  'chat-message': 'chat',
  'media-state': 'state',
  'raise-hand': 'state',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}

function invalid(message: string): SignalingFailure {
  return new SignalingFailure('invalid-argument', message);
}

function toView(participant: Participant): ParticipantView {
  const view: ParticipantView = {
    socketId: participant.socketId,
    name: participant.name,
    joinedAt: participant.joinedAt,
    media: participant.media,
    handRaised: participant.handRaised,
  };
  if (participant.userId) view.userId = participant.userId;
  return view;
}

function tokenFrom(socket: SignalingSocket): string | undefined {
  const fromAuth: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth !== '') return fromAuth;
  const fromQuery: unknown = socket.handshake.query.token;
  return typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery : undefined;
}

/**
 * The WebRTC signaling relay, chat and presence over Socket.IO (default namespace). Room
 * membership belongs to the RoomRegistry; this class validates each event like a request,
 * asks the registry, and emits. Every client event accepts an optional acknowledgement.
 */
@WebSocketGateway()
export class SignalingGateway
  implements
    OnGatewayInit,
    OnGatewayConnection,
    OnGatewayDisconnect,
    OnModuleDestroy,
    OnApplicationShutdown
{
  @WebSocketServer() private server!: SignalingServer;
  private readonly logger = new Logger('Signaling');
  private readonly config: SignalingConfig;
  private unsubscribeRevocations?: () => void;
  private readonly cluster: RedisConfig | undefined;
  private heartbeatTimer?: NodeJS.Timeout;

  constructor(
    @Inject(ROOM_REGISTRY) private readonly registry: RoomRegistry,
    private readonly chat: ChatService,
    private readonly iceServers: IceServersService,
    private readonly auth: AuthService,
    private readonly sessionEvents: SessionEvents,
    private readonly presence: SocketPresence,
    private readonly metrics: MetricsService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.config = config.get('signaling', { infer: true });
    this.cluster = config.get('redis', { infer: true });
  }

  afterInit(server: SignalingServer): void {
    server.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
      );
    });
    this.unsubscribeRevocations = this.sessionEvents.onRevoked((jti) => this.endSession(jti));
    this.metrics.observeSignaling(
      () => this.registry.stats(),
      () => this.presence.connectedSockets(),
    );
    if (this.cluster) {
      const { heartbeatMs } = this.cluster;
      void this.keepAlive();
      this.heartbeatTimer = setInterval(() => void this.keepAlive(), heartbeatMs);
      this.heartbeatTimer.unref();
    }
  }

  onModuleDestroy(): void {
    this.unsubscribeRevocations?.();
    clearInterval(this.heartbeatTimer);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.registry.close();
  }

  /** Announces this instance and removes (and announces) the participants of dead ones. */
  private async keepAlive(): Promise<void> {
    if (!this.cluster) return;
    try {
      await this.registry.heartbeat();
      const ghosts = await this.registry.removeDeadNodes(Date.now() - this.cluster.deadAfterMs);
      for (const ghost of ghosts) this.announceLeft(ghost);
      if (ghosts.length > 0)
        this.logger.warn(`removed ${ghosts.length} participants of a dead instance`);
    } catch (error) {
      this.logger.warn(`presence heartbeat failed: ${String((error as Error).message)}`);
    }
  }

  handleConnection(socket: SignalingSocket): void {
    this.presence.connected();
    this.bindEvents(socket);
    const user = socket.data.user;
    this.logger.debug(`socket ${socket.id} connected (${user ? `user ${user.userId}` : 'guest'})`);
    if (user) {
      void socket.join(`session:${user.jti}`);
      this.scheduleExpiry(socket, user.expiresAt.getTime());
    }
  }

  handleDisconnect(socket: SignalingSocket): Promise<void> {
    this.presence.disconnected();
    clearTimeout(socket.data.expiryTimer);
    this.logger.debug(`socket ${socket.id} disconnected`);
    // After the socket's pending events: a join still in flight must not outlive the socket.
    socket.data.queue = socket.data.queue.then(async () => {
      try {
        const left = await this.registry.leave(socket.id);
        if (left) this.announceLeft(left);
      } catch (error) {
        this.logger.error(
          `could not remove ${socket.id} from its room: ${String((error as Error).message)}`,
        );
      }
    });
    return socket.data.queue;
  }

  /**
   * Client events are bound here, on the socket itself, rather than with @SubscribeMessage:
   * Nest's per-message RxJS pipeline (and its global pipes and guards) halved the relay's
   * throughput against a bare Socket.IO server. Validation, membership checks and
   * acknowledgements stay in this class, event by event, as for any request.
   */
  private bindEvents(socket: SignalingSocket): void {
    const on = socket.on.bind(socket) as (
      event: string,
      listener: (...args: unknown[]) => void,
    ) => void;
    for (const event of CLIENT_EVENTS) {
      on(event, (...args: unknown[]) => {
        const ack =
          typeof args[args.length - 1] === 'function' ? (args.pop() as AckCallback) : undefined;
        this.handle(socket, event, ack, args);
      });
    }
  }

  private run(
    socket: SignalingSocket,
    event: ClientEventName,
    args: unknown[],
  ): Promise<object | void> {
    switch (event) {
      case 'join-call':
        return this.join(socket, args);
      case 'leave-call':
        return this.leave(socket);
      case 'signal':
        return this.relaySignal(socket, args);
      case 'chat-message':
        return this.sendChat(socket, args);
      case 'media-state':
        return this.updateMedia(socket, args);
      case 'raise-hand':
        return this.raiseHand(socket, args);
    }
  }

  /**
   * Rate-limits, then runs the event after the socket's previous ones, and answers through the
   * acknowledgement, or with a `signaling-error` event when a client without one failed.
   * Nothing thrown here reaches Socket.IO or other sockets.
   */
  private handle(
    socket: SignalingSocket,
    event: ClientEventName,
    ack: AckCallback | undefined,
    args: unknown[],
  ): void {
    if (!socket.data.limits.allow(EVENT_KINDS[event])) {
      this.fail(socket, event, ack, {
        code: 'rate-limited',
        message: `too many ${event} events, slow down`,
      });
      return;
    }
    socket.data.queue = socket.data.queue.then(() =>
      this.run(socket, event, args).then(
        (result) => ack?.({ ok: true, ...(result ?? {}) }),
        (error: unknown) =>
          this.fail(socket, event, ack, this.describeFailure(event, socket, error)),
      ),
    );
  }

  private fail(
    socket: SignalingSocket,
    event: ClientEventName,
    ack: AckCallback | undefined,
    error: SignalingError,
  ): void {
    this.metrics.rejectedEvents.inc({ event, reason: error.code });
    if (ack) ack({ ok: false, error });
    else socket.emit('signaling-error', event, error);
  }

  private describeFailure(
    event: ClientEventName,
    socket: SignalingSocket,
    error: unknown,
  ): SignalingError {
    if (error instanceof SignalingFailure) return { code: error.code, message: error.message };
    if (error instanceof RoomFullError) return { code: 'room-full', message: error.message };
    const message = String((error as { message?: unknown } | null)?.message ?? error);
    this.logger.error(`${event} from ${socket.id} failed: ${message}`);
    return {
      code: 'internal',
      message: isDatabaseUnavailableError(error)
        ? 'service temporarily unavailable'
        : 'internal error',
    };
  }

  private async authenticate(socket: SignalingSocket): Promise<void> {
    socket.data.guestId = `guest-${randomUUID()}`;
    socket.data.limits = new SocketRateLimits(this.config.rateLimits);
    socket.data.queue = Promise.resolve();
    const token = tokenFrom(socket);
    if (token === undefined) {
      if (!this.config.allowGuests) throw new Error('Sign-in required: guests are not allowed');
      return;
    }
    try {
      socket.data.user = await this.auth.authenticateToken(token);
    } catch (error) {
      if (error instanceof UnauthorizedException) throw new Error(error.message);
      this.logger.warn(`handshake failed: ${String((error as Error).message)}`);
      throw new Error('Service temporarily unavailable');
    }
  }

  private scheduleExpiry(socket: SignalingSocket, expiresAt: number): void {
    const remaining = expiresAt - Date.now();
    socket.data.expiryTimer = setTimeout(
      () => {
        if (Date.now() >= expiresAt) {
          socket.emit('session-ended', 'token-expired');
          socket.disconnect(true);
        } else {
          this.scheduleExpiry(socket, expiresAt);
        }
      },
      Math.max(0, Math.min(remaining, MAX_TIMER_MS)),
    );
    socket.data.expiryTimer.unref();
  }

  /** Disconnects every socket signed in with a revoked token. */
  private endSession(jti: string): void {
    const room = `session:${jti}`;
    this.server.to(room).emit('session-ended', 'signed-out');
    this.server.in(room).disconnectSockets(true);
  }

  private displayName(socket: SignalingSocket, requested: unknown): string {
    const user = socket.data.user;
    if (user) return user.name;
    if (requested === undefined || requested === null) return GUEST_NAME;
    if (typeof requested !== 'string') throw invalid('display name must be a string');
    const name = requested.trim();
    if (name.length > NAME_MAX_LENGTH)
      throw invalid(`display name must be at most ${NAME_MAX_LENGTH} characters`);
    return name === '' ? GUEST_NAME : name;
  }

  private async join(socket: SignalingSocket, args: unknown[]): Promise<JoinResult> {
    const roomId = normalizeRoomId(args[0]);
    if (roomId === undefined) {
      throw invalid('roomId must be a meeting code or meeting URL giving 1-128 characters');
    }
    const name = this.displayName(socket, args[1]);
    const user = socket.data.user;
    const outcome = await this.registry.join(
      { socketId: socket.id, roomId, name, ...(user ? { userId: user.userId } : {}) },
      this.config.maxParticipantsPerRoom,
    );
    if (outcome.left) {
      void socket.leave(outcome.left.roomId);
      this.announceLeft(outcome.left);
    }
    // Messages composed before this boundary were sent before the socket joined the room:
    // they come from the history; later ones arrive live.
    const boundary = this.chat.boundary();
    void socket.join(roomId);
    const usernames: Record<string, string> = {};
    for (const participant of outcome.participants)
      usernames[participant.socketId] = participant.name;
    this.server.to(roomId).emit(
      'user-joined',
      socket.id,
      outcome.participants.map((participant) => participant.socketId),
      usernames,
    );
    this.logger.debug(`socket ${socket.id} joined a room of ${outcome.participants.length}`);
    for (const line of await this.chat.history(roomId, boundary)) {
      socket.emit('chat-message', line.text, line.senderName, line.senderSocketId);
    }
    const identity = user?.userId ?? socket.data.guestId;
    return {
      roomId,
      participants: outcome.participants.map(toView),
      iceServers: this.iceServers.forIdentity(identity).iceServers,
    };
  }

  private async leave(socket: SignalingSocket): Promise<void> {
    const left = await this.registry.leave(socket.id);
    if (!left) throw new SignalingFailure('not-in-room', 'not in a room');
    void socket.leave(left.roomId);
    this.announceLeft(left);
  }

  private announceLeft(left: Participant): void {
    this.logger.debug(`socket ${left.socketId} left its room`);
    this.server.to(left.roomId).emit('user-left', left.socketId, Date.now() - left.joinedAt);
  }

  private async relaySignal(socket: SignalingSocket, args: unknown[]): Promise<void> {
    const [target, message] = args;
    if (typeof target !== 'string' || target === '' || target.length > SOCKET_ID_MAX_LENGTH) {
      throw invalid('target must be a socket id');
    }
    if (typeof message === 'string') {
      // A UTF-8 string is at most 3 bytes per UTF-16 unit: measure only when it may be too big.
      if (message.length * 3 > SIGNAL_MAX_BYTES && Buffer.byteLength(message) > SIGNAL_MAX_BYTES) {
        throw invalid('signal payload must be at most 64 KB');
      }
    } else if (isPlainObject(message)) {
      if (Buffer.byteLength(JSON.stringify(message)) > SIGNAL_MAX_BYTES)
        throw invalid('signal payload must be at most 64 KB');
    } else {
      throw invalid('signal payload must be a string or an object');
    }
    if (!(await this.registry.inSameRoom(socket.id, target))) {
      throw new SignalingFailure('target-not-in-room', 'the target is not in your room');
    }
    this.server.to(target).emit('signal', socket.id, message);
    this.metrics.signalsRelayed.inc();
  }

  private async sendChat(socket: SignalingSocket, args: unknown[]): Promise<void> {
    const [rawText, rawSender] = args;
    if (typeof rawText !== 'string') throw invalid('text must be a string');
    const text = rawText.trim();
    if (text.length === 0 || text.length > CHAT_MAX_LENGTH) {
      throw invalid(`text must be 1-${CHAT_MAX_LENGTH} characters`);
    }
    const participant = await this.registry.participant(socket.id);
    if (!participant) throw new SignalingFailure('not-in-room', 'join a room before chatting');
    const senderName = this.chatSenderName(socket, participant, rawSender);
    const line = this.chat.compose({
      room: participant.roomId,
      text,
      senderName,
      senderSocketId: socket.id,
      ...(socket.data.user ? { userId: socket.data.user.userId } : {}),
    });
    this.server.to(participant.roomId).emit('chat-message', text, senderName, socket.id);
    this.chat.record(line);
    this.metrics.chatMessages.inc();
  }

  private chatSenderName(
    socket: SignalingSocket,
    participant: Participant,
    requested: unknown,
  ): string {
    if (socket.data.user) return socket.data.user.name;
    if (requested === undefined || requested === null) return participant.name;
    if (typeof requested !== 'string') throw invalid('sender must be a string');
    const name = requested.trim();
    if (name.length === 0 || name.length > NAME_MAX_LENGTH) {
      throw invalid(`sender must be 1-${NAME_MAX_LENGTH} characters`);
    }
    return name;
  }

  private async updateMedia(socket: SignalingSocket, args: unknown[]): Promise<void> {
    const [state] = args;
    if (
      !isPlainObject(state) ||
      typeof state.audio !== 'boolean' ||
      typeof state.video !== 'boolean' ||
      typeof state.screen !== 'boolean'
    ) {
      throw invalid('media state must be {audio, video, screen} booleans');
    }
    const media: MediaState = { audio: state.audio, video: state.video, screen: state.screen };
    const roomId = await this.registry.setMedia(socket.id, media);
    if (roomId === undefined) throw new SignalingFailure('not-in-room', 'join a room first');
    socket.to(roomId).emit('media-state', socket.id, media);
  }

  private async raiseHand(socket: SignalingSocket, args: unknown[]): Promise<void> {
    const [raised] = args;
    if (typeof raised !== 'boolean') throw invalid('raised must be a boolean');
    const roomId = await this.registry.setHandRaised(socket.id, raised);
    if (roomId === undefined) throw new SignalingFailure('not-in-room', 'join a room first');
    socket.to(roomId).emit('raise-hand', socket.id, raised);
  }
}
