import { calculateObjectSize, Long } from 'bson';
import type { Doc } from './documents.js';
import { MongoCommandError } from './errors.js';

/** MongoDB's default first batch and the byte budget of one reply batch. */
const DEFAULT_FIRST_BATCH = 101;
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;
/** Cursors left idle longer than this are discarded (mongod: 10 minutes). */
export const CURSOR_IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  namespace: string;
  documents: Doc[];
  position: number;
  lastUsed: number;
}

export interface CursorReply {
  cursor: { id: Long; ns: string; firstBatch?: Doc[]; nextBatch?: Doc[] };
  ok: 1;
}

/** Server-side cursors: a result computed once, handed out batch by batch through getMore. */
export class CursorRegistry {
  private readonly open = new Map<number, OpenCursor>();
  private nextId = 1 + Math.floor(Math.random() * 1_000_000);

  get size(): number {
    return this.open.size;
  }

  /** The first batch; keeps a cursor open when more remain (unless singleBatch). */
  start(namespace: string, documents: Doc[], batchSize?: number, singleBatch = false): CursorReply {
    const cursor: OpenCursor = { namespace, documents, position: 0, lastUsed: Date.now() };
    const batch = this.take(cursor, batchSize && batchSize > 0 ? batchSize : DEFAULT_FIRST_BATCH);
    let id = 0;
    if (!singleBatch && cursor.position < documents.length) {
      id = this.nextId++;
      this.open.set(id, cursor);
    }
    return { cursor: { firstBatch: batch, id: Long.fromNumber(id), ns: namespace }, ok: 1 };
  }

  more(id: number, namespace: string, batchSize?: number): CursorReply {
    const cursor = this.open.get(id);
    if (!cursor || cursor.namespace !== namespace) {
      throw new MongoCommandError('CursorNotFound', `cursor id ${id} not found`);
    }
    cursor.lastUsed = Date.now();
    const batch = this.take(cursor, batchSize && batchSize > 0 ? batchSize : Infinity);
    const exhausted = cursor.position >= cursor.documents.length;
    if (exhausted) this.open.delete(id);
    return {
      cursor: { nextBatch: batch, id: Long.fromNumber(exhausted ? 0 : id), ns: namespace },
      ok: 1,
    };
  }

  kill(ids: number[]): { killed: number[]; notFound: number[] } {
    const killed: number[] = [];
    const notFound: number[] = [];
    for (const id of ids) (this.open.delete(id) ? killed : notFound).push(id);
    return { killed, notFound };
  }

  removeIdle(now = Date.now()): void {
    for (const [id, cursor] of this.open) {
      if (now - cursor.lastUsed > CURSOR_IDLE_TIMEOUT_MS) this.open.delete(id);
    }
  }

  private take(cursor: OpenCursor, limit: number): Doc[] {
    const batch: Doc[] = [];
    let bytes = 0;
    while (cursor.position < cursor.documents.length && batch.length < limit) {
      const doc = cursor.documents[cursor.position];
      bytes += calculateObjectSize(doc, { ignoreUndefined: true });
      if (batch.length > 0 && bytes > MAX_BATCH_BYTES) break;
      batch.push(doc);
      cursor.position++;
    }
    return batch;
  }
}
