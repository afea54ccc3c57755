import type { DefaultEventsMap, Server, Socket } from 'socket.io';
import type { Caller } from '../call/caller.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/events.js';
import type { SocketEventKind } from '../signaling.config.js';

/** What the transport keeps on each socket. */
export interface SocketData {
  /** Set at the handshake: who this socket is. */
  caller: Caller;
  /** Events of one socket are handled one after the other, in arrival order. */
  queue: Promise<void>;
  /**
   * Per event kind, until when (epoch ms) the socket's rate limit refuses it: further events
   * of that kind are refused at once, without a limiter call or a place in the queue.
   */
  refusedUntil: Record<SocketEventKind, number>;
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
