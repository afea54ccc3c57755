import { createServer, type Server, type Socket } from 'node:net';
import type { ServerInfo } from './command-context.js';
import { runCommand } from './command-dispatcher.js';
import { CursorRegistry } from './cursors.js';
import type { JournalLog } from './journal.js';
import { StorageEngine } from './storage-engine.js';
import {
  decodeMessage,
  encodeLegacyReply,
  encodeMsgReply,
  HEADER_SIZE,
  MAX_MESSAGE_SIZE_BYTES,
  ProtocolError,
} from './wire-protocol.js';

export interface EmbeddedMongoOptions {
  /** Loopback by default; the engine has no authentication. */
  host?: string;
  /** 0 picks any free port. */
  port?: number;
  /** Journal directory; null (default) keeps data in memory only. */
  dataDir?: string | null;
  /** How often TTL indexes are swept (MongoDB: every 60 s). */
  ttlSweepIntervalMs?: number;
  /** Receives operational messages (protocol errors, internal failures, journal repairs). */
  log?: JournalLog;
}

const DEFAULT_TTL_SWEEP_MS = 60_000;

/** Collects socket chunks and hands out whole messages, copying each byte once. */
class MessageReader {
  private chunks: Buffer[] = [];
  private length = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The next complete message, undefined if more bytes are needed; throws on a bad length. */
  next(): Buffer | undefined {
    if (this.length < 4) return undefined;
    const head = this.chunks[0].length >= 4 ? this.chunks[0] : this.concat(4);
    const size = head.readInt32LE(0);
    if (size < HEADER_SIZE + 5 || size > MAX_MESSAGE_SIZE_BYTES) {
      throw new ProtocolError(`invalid message length ${size}`);
    }
    if (this.length < size) return undefined;
    const all = this.concat(this.length);
    const message = all.subarray(0, size);
    const rest = all.subarray(size);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return message;
  }

  private concat(bytes: number): Buffer {
    const joined = Buffer.concat(this.chunks, this.length);
    this.chunks = [joined];
    return joined.subarray(0, bytes);
  }
}

/**
 * A MongoDB wire-protocol server backed by the in-process StorageEngine. Any MongoDB driver
 * (and mongosh or Compass) connects to it with a plain `mongodb://host:port/db` URI.
 */
export class EmbeddedMongoServer {
  private readonly connections = new Set<Socket>();
  private readonly cursors = new CursorRegistry();
  private readonly timers: NodeJS.Timeout[] = [];
  private nextConnectionId = 1;
  private stopped = false;

  private constructor(
    private readonly server: Server,
    readonly engine: StorageEngine,
    private readonly info: ServerInfo,
    private readonly log: NonNullable<EmbeddedMongoOptions['log']>,
  ) {}

  static async start(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongoServer> {
    const host = options.host ?? '127.0.0.1';
    const log = options.log ?? (() => undefined);
    const engine = StorageEngine.open({ dataDir: options.dataDir ?? null, log });
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      engine.close();
      throw error;
    }
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const instance = new EmbeddedMongoServer(
      server,
      engine,
      { startedAt: Date.now(), host, port },
      log,
    );
    server.on('connection', (socket) => instance.accept(socket));
    instance.every(options.ttlSweepIntervalMs ?? DEFAULT_TTL_SWEEP_MS, () => {
      engine.removeExpired();
    });
    instance.every(60_000, () => instance.cursors.removeIdle());
    return instance;
  }

  get port(): number {
    return this.info.port;
  }

  get host(): string {
    return this.info.host;
  }

  /** A connection string for `database` (what DB_URI would hold). */
  uri(database = 'test'): string {
    return `mongodb://${this.info.host}:${this.info.port}/${database}`;
  }

  /** Closes every client connection and the listener; flushes and unlocks the data directory. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const socket of this.connections) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.engine.close();
  }

  private every(intervalMs: number, task: () => void): void {
    const timer = setInterval(() => {
      try {
        task();
      } catch (error) {
        this.log('error', `background task failed: ${(error as Error).message}`);
      }
    }, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  private accept(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const connectionId = this.nextConnectionId++;
    const remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    const reader = new MessageReader();
    this.connections.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy()); // abrupt disconnects are routine
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
        for (let message = reader.next(); message; message = reader.next()) {
          const reply = this.handle(message, connectionId, remoteAddress);
          if (reply && !socket.destroyed) socket.write(reply);
        }
      } catch (error) {
        // Framing is lost after a bad message: like mongod, drop the connection.
        this.log('warn', `closing connection ${connectionId}: ${(error as Error).message}`);
        socket.destroy();
      }
    });
  }

  private handle(message: Buffer, connectionId: number, remoteAddress: string): Buffer | undefined {
    const command = decodeMessage(message);
    const reply = runCommand(
      command.body,
      {
        engine: this.engine,
        cursors: this.cursors,
        server: this.info,
        connectionId,
        remoteAddress,
      },
      command.database,
      (error) => this.log('error', `command failed: ${(error as Error).stack ?? String(error)}`),
    );
    if (command.moreToCome) return undefined;
    return command.kind === 'msg'
      ? encodeMsgReply(command.header.requestId, reply)
      : encodeLegacyReply(command.header.requestId, reply);
  }
}
