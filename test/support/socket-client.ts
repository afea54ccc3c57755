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
}

/** A real socket.io-client connection to the app; rejects with the server's connect error. */
export function connectSocket(baseUrl: string, options: ConnectOptions = {}): Promise<TestSocket> {
  const socket: TestSocket = io(baseUrl, {
    forceNew: true,
    reconnection: false,
    transports: options.transports ?? ['websocket'],
    ...(options.token !== undefined && !options.tokenInQuery
      ? { auth: { token: options.token } }
      : {}),
    ...(options.token !== undefined && options.tokenInQuery
      ? { query: { token: options.token } }
      : {}),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Records every occurrence of an event, in order. */
export function record<E extends ServerEvent>(socket: TestSocket, event: E): EventArgs<E>[] {
  const seen: EventArgs<E>[] = [];
  (socket.on as (event: string, listener: (...args: unknown[]) => void) => void)(
    event,
    (...args: unknown[]) => {
      seen.push(args as EventArgs<E>);
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
      resolve(args as EventArgs<E>);
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
