import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../../config/configuration.js';
import type { RoomNotifier } from '../call/room-notifier.js';
import type { ServerEventArgs, ServerEventName } from '../protocol/events.js';
import type { SignalingServer } from './socket-types.js';

/**
 * A meeting room's Socket.IO room. Prefixed, so a room id chosen by a client can never name
 * another socket's own room (its id) or a `session:` room.
 */
export function channelOf(roomId: string): string {
  return `${ROOM_CHANNEL_PREFIX}${roomId}`;
}

const ROOM_CHANNEL_PREFIX = 'room:';

/**
 * A socket's own Socket.IO room for one meeting room, which it is in exactly while it is a
 * member of that room on its instance: a signal addressed to it reaches the socket only if
 * it is still in that room when its instance delivers it (it may have moved, left or been
 * removed since the sender's instance last asked the registry). Socket ids hold no colon.
 */
function memberChannelOf(roomId: string, socketId: string): string {
  return `${MEMBER_CHANNEL_PREFIX}${socketId}:${roomId}`;
}

const MEMBER_CHANNEL_PREFIX = 'member:';
/** socket.io-parser's PacketType.EVENT. */
const EVENT_PACKET = 2;
/** Between instances (Socket.IO's server-side emit): sockets that left their rooms. */
const MEMBERS_DEPARTED = 'members-departed';

/**
 * The RoomNotifier over Socket.IO. Broadcasts go through the server's adapter, so with the
 * Redis adapter they reach members on every instance (this instance's members once Redis
 * stored them); a message for one socket connected here is written to it directly, at once,
 * without a trip through Redis.
 */
@Injectable()
export class SocketIoRoomNotifier implements RoomNotifier {
  private server?: SignalingServer;
  private departedListener?: (socketIds: string[]) => void;
  /** Whether other instances share the rooms (Redis): only then is there anyone to tell. */
  private readonly scaledOut: boolean;

  constructor(config: ConfigService<AppConfig, true>) {
    this.scaledOut = config.get('redis', { infer: true }) !== undefined;
  }

  /** Called by the gateway once Socket.IO's server exists. */
  attach(server: SignalingServer): void {
    this.server = server;
    server.on(MEMBERS_DEPARTED, (socketIds: unknown) => {
      if (!Array.isArray(socketIds)) return;
      this.departedListener?.(socketIds.filter((id): id is string => typeof id === 'string'));
    });
  }

  departed(socketIds: readonly string[]): void {
    // One process: no other instance (the in-memory adapter would only warn on the console).
    if (!this.server || !this.scaledOut || socketIds.length === 0) return;
    this.server.serverSideEmit(MEMBERS_DEPARTED, socketIds);
  }

  onDeparted(listener: (socketIds: string[]) => void): void {
    this.departedListener = listener;
  }

  subscribe(socketId: string, roomId: string): void {
    const channels = [channelOf(roomId), memberChannelOf(roomId, socketId)];
    const socket = this.local(socketId);
    // Here, in this room's channels only: a leave announced by another instance (a host
    // removed it) may not have arrived yet, and its room must not stay this socket's room.
    if (socket) this.keepOnly(socketId, roomId);
    // A socket on another instance (a host let it in from the waiting room): its instance
    // adds it, before the broadcasts published after this request (one Redis connection).
    else this.io().in(socketId).socketsJoin(channels);
  }

  unsubscribe(socketId: string, roomId: string): void {
    const channels = [channelOf(roomId), memberChannelOf(roomId, socketId)];
    const socket = this.local(socketId);
    if (socket) for (const channel of channels) void socket.leave(channel);
    // A socket on another instance (a host removed it): its instance makes it leave.
    else this.io().in(socketId).socketsLeave(channels);
  }

  localRoomOf(socketId: string): string | undefined {
    const socket = this.local(socketId);
    if (!socket) return undefined;
    for (const channel of socket.rooms) {
      if (channel.startsWith(ROOM_CHANNEL_PREFIX)) return channel.slice(ROOM_CHANNEL_PREFIX.length);
    }
    return undefined;
  }

  /**
   * A socket connected here that recovered its connection (Socket.IO restored its rooms): in
   * the channel of the room it is still a member of, and in no other meeting room's.
   */
  keepOnly(socketId: string, roomId: string | undefined): void {
    const socket = this.local(socketId);
    if (!socket) return;
    const keep = roomId === undefined ? [] : [channelOf(roomId), memberChannelOf(roomId, socketId)];
    for (const channel of socket.rooms) {
      const meetingChannel =
        channel.startsWith(ROOM_CHANNEL_PREFIX) || channel.startsWith(MEMBER_CHANNEL_PREFIX);
      if (meetingChannel && !keep.includes(channel)) void socket.leave(channel);
    }
    if (keep.length > 0) void socket.join(keep);
  }

  /**
   * Everything Socket.IO sends to a socket, its own emits and room broadcasts alike, goes out
   * through its Engine.IO connection's write(): holding back means queueing those writes. A
   * socket that starts disconnecting meanwhile (sign-out, shutdown) gets what was held at once,
   * so its last events (`session-ended`, the disconnect itself) still reach it.
   */
  holdBack(socketId: string): (first: () => void) => void {
    const socket = this.local(socketId);
    if (!socket) return (first) => first();
    const connection = socket.conn;
    const held: Parameters<typeof connection.write>[] = [];
    connection.write = (...args: Parameters<typeof connection.write>) => {
      held.push(args);
      return connection;
    };
    let released = false;
    const release = (first?: () => void): void => {
      if (released) return;
      released = true;
      socket.off('disconnecting', onDisconnecting);
      // Back to the prototype's write.
      delete (connection as Partial<Pick<typeof connection, 'write'>>).write;
      try {
        first?.();
      } finally {
        for (const args of held) connection.write(...args);
      }
    };
    const onDisconnecting = (): void => release();
    socket.once('disconnecting', onDisconnecting);
    return release;
  }

  toRoom<E extends ServerEventName>(roomId: string, event: E, ...args: ServerEventArgs<E>): void {
    this.io()
      .to(channelOf(roomId))
      .emit(event, ...args);
  }

  toLocalRoom<E extends ServerEventName>(
    roomId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): void {
    this.io()
      .local.to(channelOf(roomId))
      .emit(event, ...args);
  }

  toRoomDelivered<E extends ServerEventName>(
    roomId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): Promise<void> {
    // What io.to(room).emit(...) does, keeping the adapter's promise (the Redis adapter
    // delivers to this instance's sockets once Redis took the message; in memory at once).
    const delivered: unknown = this.io().sockets.adapter.broadcast(
      { type: EVENT_PACKET, data: [event, ...args], nsp: '/' },
      { rooms: new Set([channelOf(roomId)]), except: new Set(), flags: {} },
    );
    return Promise.resolve(delivered).then(() => undefined);
  }

  toRoomExcept<E extends ServerEventName>(
    roomId: string,
    exceptSocketId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): void {
    this.io()
      .to(channelOf(roomId))
      .except(exceptSocketId)
      .emit(event, ...args);
  }

  toSockets<E extends ServerEventName>(
    socketIds: readonly string[],
    event: E,
    ...args: ServerEventArgs<E>
  ): void {
    if (socketIds.length === 0) return;
    // Every socket is in the Socket.IO room named after its id from the moment it connects:
    // one broadcast (one publish when scaled out) reaches them, with no subscription race.
    this.io()
      .to([...socketIds])
      .emit(event, ...args);
  }

  toSocket<E extends ServerEventName>(
    socketId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): void {
    if (this.local(socketId)) this.toLocalSocket(socketId, event, ...args);
    else
      this.io()
        .to(socketId)
        .emit(event, ...args);
  }

  toMember<E extends ServerEventName>(
    roomId: string,
    socketId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): void {
    const channel = memberChannelOf(roomId, socketId);
    // Connected here: written at once (see toLocalSocket), if it is in the room.
    if (this.local(socketId))
      this.io()
        .local.to(channel)
        .emit(event, ...args);
    else
      this.io()
        .to(channel)
        .emit(event, ...args);
  }

  /**
   * Written to a socket connected here at once. Not socket.emit(): with connection state
   * recovery on, Socket.IO routes even that through the adapter, and the Redis streams adapter
   * delivers only once Redis stored it, so a direct message (the replayed history, a signal)
   * could be overtaken by what follows it and would wait on Redis.
   */
  private toLocalSocket<E extends ServerEventName>(
    socketId: string,
    event: E,
    ...args: ServerEventArgs<E>
  ): void {
    this.io()
      .local.to(socketId)
      .emit(event, ...args);
  }

  private local(socketId: string): ReturnType<SignalingServer['sockets']['sockets']['get']> {
    return this.io().sockets.sockets.get(socketId);
  }

  private io(): SignalingServer {
    if (!this.server) throw new Error('the Socket.IO server is not attached yet');
    return this.server;
  }
}
