import type { DefaultEventsMap, Server, Socket } from 'socket.io';
import type { Caller } from '../call/caller.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/events.js';

/**
 * What the transport keeps in each socket's `data`: plain, serializable values only, because
 * Socket.IO's connection state recovery stores `data` (in Redis when scaled out) while a
 * dropped socket may come back. Per-process state (queues, timers) lives beside the socket.
 */
export interface SocketData {
  /** Set at the handshake (again on a recovery): who this socket is. */
  caller: Caller;
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
