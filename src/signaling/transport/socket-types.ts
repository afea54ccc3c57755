import type { DefaultEventsMap, Server, Socket } from 'socket.io';
import type { Caller } from '../call/caller.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/events.js';

/** What the transport keeps on each socket. */
export interface SocketData {
  /** Set at the handshake: who this socket is. */
  caller: Caller;
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
