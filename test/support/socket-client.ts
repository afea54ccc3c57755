import { io, type Socket } from 'socket.io-client';
import type {
  AckResult,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../../src/signaling/protocol/events.js';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type ServerEvent = keyof ServerToClientEvents;
type EventArgs<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>;

export interface ConnectOptions {
  /** Sent as `auth.token` (or, with `tokenInQuery`, as the `token` query parameter). */
  token?: string;
  tokenInQuery?: boolean;
  transports?: ('websocket' | 'polling')[];
  /** Reconnect after a drop, as a real client does (quickly, for tests); default off. */
  reconnect?: boolean;
  /** Sent with the handshake (e.g. X-Forwarded-For, as a reverse proxy adds it). */
  headers?: Record<string, string>;
}

/** A real socket.io-client connection to the app; rejects with the server's connect error. */
export function connectSocket(baseUrl: string, options: ConnectOptions = {}): Promise<TestSocket> {
  const socket: TestSocket = io(baseUrl, {
    forceNew: true,
    reconnection: options.reconnect ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 200,
    transports: options.transports ?? ['websocket'],
    ...(options.headers ? { extraHeaders: options.headers } : {}),
    ...(options.token !== undefined && !options.tokenInQuery
      ? { auth: { token: options.token } }
      : {}),
    ...(options.token !== undefined && options.tokenInQuery
      ? { query: { token: options.token } }
      : {}),
  });
  return new Promise((resolve, reject) => {
    // Only the first connection's outcome: a later connect_error (a failed reconnection
    // attempt) is retried by socket.io-client, as in a real client.
    const connected = (): void => {
      socket.off('connect_error', failed);
      resolve(socket);
    };
    const failed = (error: Error): void => {
      socket.off('connect', connected);
      socket.close();
      reject(error);
    };
    socket.once('connect', connected);
    socket.once('connect_error', failed);
  });
}

/**
 * How many arguments each server event has. With connection state recovery on (the default
 * RECONNECT_GRACE), Socket.IO appends the packet's offset to room broadcasts as one more
 * argument, which clients ignore: the helpers below give tests the event's own arguments.
 */
const ARITY: Readonly<Record<ServerEvent, number>> = {
  'user-joined': 3,
  'participant-joined': 1,
  'participant-reconnecting': 1,
  'participant-reconnected': 1,
  signal: 2,
  'chat-message': 3,
  'user-left': 2,
  'media-state': 2,
  'raise-hand': 2,
  'signaling-error': 2,
  'session-ended': 1,
  'role-changed': 2,
  'mute-request': 0,
  removed: 1,
  'meeting-ended': 0,
  'lobby-updated': 1,
  'meeting-updated': 1,
  admitted: 1,
  denied: 0,
};

/** An event's own arguments, without a recovery offset Socket.IO may have appended. */
export function ownArguments<E extends ServerEvent>(event: E, args: unknown[]): EventArgs<E> {
  return args.slice(0, ARITY[event]) as EventArgs<E>;
}

/** Records every occurrence of an event, in order. */
export function record<E extends ServerEvent>(socket: TestSocket, event: E): EventArgs<E>[] {
  const seen: EventArgs<E>[] = [];
  (socket.on as (event: string, listener: (...args: unknown[]) => void) => void)(
    event,
    (...args: unknown[]) => {
      seen.push(ownArguments(event, args));
    },
  );
  return seen;
}

/** The next occurrence of an event (its arguments), or a rejection after `timeoutMs`. */
export function nextEvent<E extends ServerEvent>(
  socket: TestSocket,
  event: E,
  timeoutMs = 3_000,
): Promise<EventArgs<E>> {
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      clearTimeout(timer);
      resolve(ownArguments(event, args));
    };
    const timer = setTimeout(() => {
      (socket.off as (event: string, listener: (...args: unknown[]) => void) => void)(
        event,
        listener,
      );
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    (socket.once as (event: string, listener: (...args: unknown[]) => void) => void)(
      event,
      listener,
    );
  });
}

/** Emits with an acknowledgement callback and resolves with the server's answer. */
export function request(
  socket: TestSocket,
  event: string,
  ...args: unknown[]
): Promise<AckResult & Record<string, unknown>> {
  return (
    socket.timeout(3_000).emitWithAck as (
      event: string,
      ...args: unknown[]
    ) => Promise<AckResult & Record<string, unknown>>
  )(event, ...args);
}

/** Waits until `predicate` holds, polling (for "nothing else happened" style checks). */
export async function eventually(predicate: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
