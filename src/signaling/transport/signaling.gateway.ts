import { type BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { ConfigService } from '@nestjs/config';
import {
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  WebSocketGateway,
} from '@nestjs/websockets';
import { isRedisUnavailableError } from '../../common/redis-client.js';
import { ThrottledLog } from '../../common/throttled-log.js';
import { TIMED_OUT, withinTimeLimit } from '../../common/time-limit.js';
import type { AppConfig } from '../../config/configuration.js';
import { isDatabaseUnavailableError } from '../../database/database-errors.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import type { KeyedLimiter } from '../../rate-limits/keyed-limiter.js';
import { RateLimits } from '../../rate-limits/rate-limits.js';
import { CallService } from '../call/call.service.js';
import type { Caller } from '../call/caller.js';
import { SignalingFailure } from '../protocol/errors.js';
import {
  type AckResult,
  CLIENT_EVENTS,
  type ClientEventName,
  type SignalingError,
} from '../protocol/events.js';
import { type ClientMessages, MESSAGE_PARSERS, type ParseContext } from '../protocol/messages.js';
import type { SocketEventKind } from '../signaling.config.js';
import { SocketIoRoomNotifier } from './socket-io-room-notifier.js';
import { SocketPresence } from './socket-presence.js';
import { SocketSessions } from './socket-sessions.js';
import type { SignalingServer, SignalingSocket } from './socket-types.js';

type AckCallback = (result: AckResult) => void;

/** What this process keeps per connected socket (never stored by Socket.IO). */
interface SocketState {
  /** Events of one socket are handled one after the other, in arrival order. */
  queue: Promise<void>;
  /**
   * Per event kind, until when (epoch ms) the socket's rate limit refuses it: further events
   * of that kind are refused at once, without a limiter call or a place in the queue.
   */
  refusedUntil: Record<SocketEventKind, number>;
  /** Why it disconnected (set on `disconnecting`). */
  disconnectReason?: string;
}

/**
 * Disconnections a client recovers from (Socket.IO keeps its session for them): a network
 * drop, a ping timeout, a server closing transports on shutdown. Not: the client's own
 * disconnect(), a sign-out or an expired token (the server's disconnect).
 */
const RECOVERABLE_REASONS: ReadonlySet<string> = new Set([
  'transport error',
  'transport close',
  'forced close',
  'ping timeout',
  'server shutting down',
  'forced server close',
]);

/** On shutdown, how long the sockets' last events and departures may take (Redis included). */
const DRAIN_MS = 3_000;

/** Made once: the relay parses every event, and allocates nothing it can avoid. */
const SIGNED_IN: ParseContext = Object.freeze({ signedIn: true });
const GUEST: ParseContext = Object.freeze({ signedIn: false });

const EVENT_KINDS: Readonly<Record<ClientEventName, SocketEventKind>> = {
  'join-call': 'joins',
  'leave-call': 'joins',
  signal: 'signals',
  'chat-message': 'chat',
  'media-state': 'state',
  'raise-hand': 'state',
  'set-role': 'state',
  'mute-participant': 'state',
  'mute-all': 'state',
  'remove-participant': 'state',
  'end-meeting': 'state',
  'update-meeting': 'state',
  admit: 'state',
  'admit-all': 'state',
  deny: 'state',
};

/**
 * The Socket.IO transport of the call (default namespace): authenticates the handshake, and
 * turns each client event into a parsed message, a CallService call, and an acknowledgement
 * (`{ok: true, ...}` or `{ok: false, error}`; `signaling-error` for clients without one).
 */
@WebSocketGateway()
export class SignalingGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown
{
  private readonly logger = new Logger('Signaling');
  /** An outage fails every departure at once: one line per interval, not one per socket. */
  private readonly departureFailures = new ThrottledLog(this.logger);
  /** An outage fails many events at once: throttled too. */
  private readonly unavailable = new ThrottledLog(this.logger);
  private server?: SignalingServer;
  /** Set on shutdown: new connections are refused (their clients reconnect elsewhere). */
  private closing = false;
  /** Departures still being processed (the registry update and the `user-left` broadcast). */
  private readonly departures = new Set<Promise<void>>();
  /** Per socket id, in this process's memory (a socket lives on one instance). */
  private readonly limiters: Readonly<Record<SocketEventKind, KeyedLimiter>>;
  private readonly states = new WeakMap<SignalingSocket, SocketState>();
  /** How long a dropped socket keeps its place (0: none). */
  private readonly graceMs: number;
  /** The rule of each client event. */
  private readonly rules: {
    readonly [E in ClientEventName]: (
      caller: Caller,
      message: ClientMessages[E],
    ) => Promise<object | void>;
  } = {
    'join-call': (caller, message) => this.call.join(caller, message),
    'leave-call': (caller) => this.call.leave(caller),
    signal: (caller, message) => this.call.relaySignal(caller, message),
    'chat-message': (caller, message) => this.call.sendChat(caller, message),
    'media-state': (caller, message) => this.call.setMedia(caller, message),
    'raise-hand': (caller, message) => this.call.raiseHand(caller, message),
    'set-role': (caller, message) => this.call.setRole(caller, message),
    'mute-participant': (caller, message) => this.call.muteParticipant(caller, message),
    'mute-all': (caller) => this.call.muteAll(caller),
    'remove-participant': (caller, message) => this.call.removeParticipant(caller, message),
    'end-meeting': (caller) => this.call.endMeeting(caller),
    'update-meeting': (caller, message) => this.call.updateMeeting(caller, message),
    admit: (caller, message) => this.call.admit(caller, message),
    'admit-all': (caller) => this.call.admitAll(caller),
    deny: (caller, message) => this.call.deny(caller, message),
  };

  constructor(
    private readonly call: CallService,
    private readonly sessions: SocketSessions,
    private readonly notifier: SocketIoRoomNotifier,
    private readonly presence: SocketPresence,
    private readonly metrics: MetricsService,
    private readonly http: HttpAdapterHost,
    rateLimits: RateLimits,
    config: ConfigService<AppConfig, true>,
  ) {
    const signaling = config.get('signaling', { infer: true });
    const limits = signaling.rateLimits;
    this.graceMs = signaling.reconnectGraceMs;
    // Never in Redis, even when it is configured: a round trip per relayed signal would cost
    // the relay its throughput, and one instance holds the socket, so its memory is enough.
    // One window per connected socket, deleted when it disconnects.
    this.limiters = {
      joins: rateLimits.local('socket-joins', limits.joins),
      signals: rateLimits.local('socket-signals', limits.signals),
      chat: rateLimits.local('socket-chat', limits.chat),
      state: rateLimits.local('socket-state', limits.state),
    };
  }

  afterInit(server: SignalingServer): void {
    this.server = server;
    this.notifier.attach(server);
    this.sessions.attach(server);
    this.sessions.onAwayRevoked((socketIds) => {
      this.call.endAway(socketIds).catch((error: unknown) => {
        this.departureFailures.warn(
          `could not end the places of signed-out sockets: ${String((error as Error).message)}`,
        );
      });
    });
    server.use((socket, next) => {
      // Shutting down: close the connection rather than refuse it. A refusal (connect_error)
      // is final for socket.io-client; a closed transport makes it reconnect, elsewhere.
      if (this.closing) {
        socket.conn.close();
        return;
      }
      this.sessions.authenticate(socket).then(
        () => (this.closing ? socket.conn.close() : next()),
        (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
      );
    });
  }

  handleConnection(socket: SignalingSocket): void {
    this.presence.connected();
    const state: SocketState = {
      queue: Promise.resolve(),
      refusedUntil: { joins: 0, signals: 0, chat: 0, state: 0 },
    };
    this.states.set(socket, state);
    socket.once('disconnecting', (reason) => {
      state.disconnectReason = reason;
    });
    this.bindEvents(socket);
    this.sessions.started(socket);
    const user = socket.data.caller.user;
    this.logger.debug(
      `socket ${socket.id} ${socket.recovered ? 'recovered its connection' : 'connected'} (${user ? `user ${user.userId}` : 'guest'})`,
    );
    // Back within the grace window, with its id: still in its room unless its time ran out.
    if (socket.recovered) state.queue = this.recover(socket);
  }

  /** A recovered socket: in its room again, or out of the room channels it no longer has. */
  private async recover(socket: SignalingSocket): Promise<void> {
    const roomId = await this.call.returned(socket.id).catch((error: unknown) => {
      this.departureFailures.warn(
        `could not bring ${socket.id} back to its room: ${String((error as Error).message)}`,
      );
      return undefined;
    });
    this.notifier.keepOnly(socket.id, roomId);
    this.sessions.cameBack(socket);
  }

  handleDisconnect(socket: SignalingSocket): Promise<void> {
    this.presence.disconnected();
    this.sessions.ended(socket);
    for (const limiter of Object.values(this.limiters)) void limiter.reset(socket.id);
    const state: Pick<SocketState, 'queue' | 'disconnectReason'> = this.states.get(socket) ?? {
      queue: Promise.resolve(),
    };
    // A drop it can recover from keeps its place for the grace window; anything else is final.
    const mayReturn =
      this.graceMs > 0 && RECOVERABLE_REASONS.has(state.disconnectReason ?? 'transport close');
    this.logger.debug(
      `socket ${socket.id} disconnected (${state.disconnectReason ?? 'unknown'})${mayReturn ? ', may come back' : ''}`,
    );
    // A signed-in socket keeps its place no longer than its token, and a sign-out ends it.
    const expiresAt = socket.data.caller?.user?.expiresAt.getTime() ?? Infinity;
    if (mayReturn) this.sessions.wentAway(socket, Math.min(Date.now() + this.graceMs, expiresAt));
    // After the socket's pending events: a join still in flight must not outlive the socket.
    // After the socket's events however they ended: the departure always runs.
    const depart = (): Promise<void> =>
      (mayReturn
        ? this.call.dropped(socket.id, expiresAt)
        : this.call.disconnected(
            socket.id,
            // The client closed its connection itself: a deliberate leave.
            state.disconnectReason === 'client namespace disconnect' ? 'left' : 'disconnected',
          )
      ).catch((error: unknown) => {
        this.departureFailures.warn(
          `could not remove ${socket.id} from its room: ${String((error as Error).message)}`,
        );
      });
    const departure = state.queue.then(depart, depart);
    state.queue = departure;
    this.departures.add(departure);
    void departure.finally(() => this.departures.delete(departure));
    return departure;
  }

  /**
   * Before Nest closes the Socket.IO server, its adapter, Redis and the database: stop taking
   * connections, close every socket's connection, and wait (bounded) until their queued events
   * ran and their departures were recorded; then flush what the call still has to store (chat).
   *
   * A rolling deploy: the clients reconnect, through the load balancer, to an instance that
   * stays, and within RECONNECT_GRACE they recover there with their ids and rooms, so nobody
   * sees them leave (without a grace window they leave and their rooms hear it now).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    // New connections go elsewhere: the listener closes (a proxy tries its next upstream),
    // and a handshake on a connection already open is refused at the Engine.IO level (a
    // refusal socket.io-client retries; one by the socket middleware would be final).
    if (this.server) {
      this.server.engine.opts.allowRequest = (_request, callback) =>
        callback('shutting down', false);
    }
    (this.http.httpAdapter?.getHttpServer() as Server | undefined)?.close();
    const sockets = [...(this.server?.sockets.sockets.values() ?? [])];
    // Closing the transport (not socket.disconnect(), which socket.io-client takes as final)
    // makes clients reconnect, through the load balancer, to an instance that stays.
    const gone = sockets.map(
      (socket) => new Promise<void>((resolve) => socket.once('disconnect', () => resolve())),
    );
    for (const socket of sockets) socket.conn.close();
    if (sockets.length > 0) this.logger.log(`closing ${sockets.length} connections`);
    const drained = await withinTimeLimit(
      Promise.all(gone).then(() => Promise.allSettled([...this.departures])),
      DRAIN_MS,
    );
    if (drained === TIMED_OUT)
      this.logger.warn(
        `${this.departures.size} departures were not announced within ${DRAIN_MS} ms`,
      );
    await this.call.flush();
  }

  /**
   * Client events are bound here, on the socket itself, rather than with @SubscribeMessage:
   * Nest's per-message RxJS pipeline (and its global pipes and guards) halved the relay's
   * throughput against a bare Socket.IO server (bench/signaling).
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

  /**
   * Counts the event against its rate limit at once, then, after the socket's previous events,
   * runs and answers it (or refuses it, rate-limited). The decision is a promise: waiting for
   * it in the socket's queue keeps the events and their answers in order, and keeps every
   * event ahead of the socket's disconnection. Once a kind is refused, its further events
   * are refused at once until the window ends, so a flood never piles up in the queue (say
   * behind a join waiting for the database). Nothing thrown here reaches Socket.IO or other
   * sockets.
   */
  private handle(
    socket: SignalingSocket,
    event: ClientEventName,
    ack: AckCallback | undefined,
    args: unknown[],
  ): void {
    const kind = EVENT_KINDS[event];
    const state = this.states.get(socket);
    if (!state) return;
    const refusedUntil = state.refusedUntil;
    if (refusedUntil[kind] > Date.now()) {
      this.refuse(socket, event, ack);
      return;
    }
    const allowed = this.limiters[kind].consume(socket.id).then((decision) => {
      if (!decision.allowed) refusedUntil[kind] = Date.now() + decision.retryAfterMs;
      return decision.allowed;
    });
    state.queue = state.queue.then(() =>
      allowed
        .then((yes) =>
          yes
            ? this.dispatch(socket.data.caller, event, args).then(
                (result) => ack?.({ ok: true, ...(result ?? {}) }),
                (error: unknown) =>
                  this.fail(socket, event, ack, this.describe(event, socket.id, error)),
              )
            : this.refuse(socket, event, ack),
        )
        .catch((error: unknown) => {
          // Last line: the queue stays usable whatever went wrong around the rule.
          this.logger.error(`${event} from ${socket.id} failed: ${String(error)}`);
        }),
    );
  }

  private refuse(socket: SignalingSocket, event: ClientEventName, ack?: AckCallback): void {
    this.fail(socket, event, ack, {
      code: 'rate-limited',
      message: `too many ${event} events, slow down`,
    });
  }

  /** Parses the event's arguments, then applies its rule. */
  private async dispatch<E extends ClientEventName>(
    caller: Caller,
    event: E,
    args: unknown[],
  ): Promise<object | void> {
    // async: whatever a parser or rule throws becomes this promise's rejection, answered as a
    // failure, and never breaks the socket's queue.
    const message = MESSAGE_PARSERS[event](args, caller.user ? SIGNED_IN : GUEST);
    if (message instanceof SignalingFailure) throw message;
    return this.rules[event](caller, message);
  }

  private fail(
    socket: SignalingSocket,
    event: ClientEventName,
    ack: AckCallback | undefined,
    error: SignalingError,
  ): void {
    this.metrics.rejectedEvents.inc({ event, reason: error.code });
    if (ack) ack({ ok: false, error });
    // Written here at once (socket.emit would wait for Redis when scaled out).
    else this.server?.local.to(socket.id).emit('signaling-error', event, error);
  }

  /**
   * A refusal says why; a dependency that cannot be reached (Redis, the database) is
   * `unavailable` (try again); anything else is logged here and reported without its details.
   */
  private describe(event: ClientEventName, socketId: string, error: unknown): SignalingError {
    if (error instanceof SignalingFailure) return { code: error.code, message: error.message };
    const message = String((error as { message?: unknown } | null)?.message ?? error);
    if (isDatabaseUnavailableError(error) || isRedisUnavailableError(error)) {
      this.unavailable.warn(`${event} failed, a dependency is unreachable: ${message}`);
      return { code: 'unavailable', message: 'service temporarily unavailable, try again' };
    }
    this.logger.error(`${event} from ${socketId} failed: ${message}`);
    return { code: 'internal', message: 'internal error' };
  }
}
