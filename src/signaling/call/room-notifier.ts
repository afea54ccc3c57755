import type { ServerEventArgs, ServerEventName } from '../protocol/events.js';

/** Injection token of the RoomNotifier implementation (Socket.IO, in the transport). */
export const ROOM_NOTIFIER = Symbol('ROOM_NOTIFIER');

/**
 * How the call rules tell clients what happened, without knowing the transport: the rules
 * decide who hears which event, the notifier delivers it to sockets on any instance.
 */
export interface RoomNotifier {
  /** The socket now hears its room's broadcasts (on whichever instance it is connected). */
  subscribe(socketId: string, roomId: string): void;
  unsubscribe(socketId: string, roomId: string): void;
  /**
   * Holds back whatever else is sent to the socket (connected to this instance) until the
   * returned function is called: then `first` sends its events, and what was held follows in
   * order. A late joiner's chat replay thus precedes the live messages sent meanwhile.
   */
  holdBack(socketId: string): (first: () => void) => void;
  /** To every member of the room, on every instance. */
  toRoom<E extends ServerEventName>(roomId: string, event: E, ...args: ServerEventArgs<E>): void;
  /** To the members of the room connected to this instance only (whatever Redis does). */
  toLocalRoom<E extends ServerEventName>(
    roomId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): void;
  /**
   * To every member of the room, like toRoom; resolves once this instance's own members were
   * sent it (scaled out, that waits until Redis took the message), so a caller can tell which
   * messages a socket subscribing now will still hear live.
   */
  toRoomDelivered<E extends ServerEventName>(
    roomId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): Promise<void>;
  /** To every member of the room but one. */
  toRoomExcept<E extends ServerEventName>(
    roomId: string,
    exceptSocketId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): void;
  /**
   * To exactly these sockets, on whichever instances they are connected, whether or not they
   * are subscribed to a room yet: for the membership events whose recipients the registry
   * decides (a member hears each later joiner exactly once, however joins interleave).
   */
  toSockets<E extends ServerEventName>(
    socketIds: readonly string[],
    event: E,
    ...args: ServerEventArgs<E>
  ): void;
  /**
   * The room a socket connected to this instance is subscribed to, as this process alone
   * knows it (for relaying between its own sockets while the shared registry is away).
   */
  localRoomOf(socketId: string): string | undefined;
  /**
   * To one socket, on whichever instance it is connected, only if it is a member of the room
   * when that instance delivers it (checked there, without asking the shared registry).
   */
  toMember<E extends ServerEventName>(
    roomId: string,
    socketId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): void;
  /** To one socket, on whichever instance it is connected. */
  toSocket<E extends ServerEventName>(
    socketId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): void;
  /**
   * Tells the other instances (no client) that these sockets left their rooms, so what they
   * remember of those sockets' rooms (see CallService.relaySignal) is forgotten at once.
   */
  departed(socketIds: readonly string[]): void;
  /** Where the sockets other instances said left their rooms go. */
  onDeparted(listener: (socketIds: string[]) => void): void;
}
