import { calculateObjectSize } from 'bson';
import { type Doc, idKeyOf, isPlainObject } from './documents.js';
import { MongoCommandError } from './errors.js';
import { CollectionIndex, type IndexSpec } from './indexes.js';
import { MAX_BSON_OBJECT_SIZE } from './wire-protocol.js';

export const ID_INDEX: IndexSpec = { name: '_id_', key: { _id: 1 } };

/** Operators that make a filter value something other than a plain equality. */
function equalityValue(condition: unknown): { ok: true; value: unknown } | { ok: false } {
  if (condition instanceof RegExp || Array.isArray(condition)) return { ok: false };
  if (condition === null || condition === undefined) return { ok: false };
  if (isPlainObject(condition)) {
    const keys = Object.keys(condition);
    if (keys.length === 1 && keys[0] === '$eq') return equalityValue(condition.$eq);
    if (keys.some((key) => key.startsWith('$'))) return { ok: false };
  }
  return { ok: true, value: condition };
}

/** Values of an `{$in: [...]}` condition when each is usable for an index lookup. */
function inValues(condition: unknown): unknown[] | undefined {
  if (!isPlainObject(condition) || Object.keys(condition).length !== 1) return undefined;
  const list = condition.$in;
  if (!Array.isArray(list) || list.length > 1000) return undefined;
  const values: unknown[] = [];
  for (const item of list) {
    const equality = equalityValue(item);
    if (!equality.ok || isPlainObject(equality.value)) return undefined;
    values.push(equality.value);
  }
  return values;
}

/**
 * The documents of one collection (by `_id`, in insertion order) and their indexes. Only
 * in-memory state: the StorageEngine validates, journals and then calls the apply* methods.
 */
export class Collection {
  readonly documents = new Map<string, Doc>();
  readonly indexes = new Map<string, CollectionIndex>();
  private readonly sizes = new Map<string, number>();
  dataSize = 0;

  constructor(
    readonly database: string,
    readonly name: string,
    readonly options: Doc = {},
  ) {
    this.indexes.set(ID_INDEX.name, new CollectionIndex(ID_INDEX));
  }

  get namespace(): string {
    return `${this.database}.${this.name}`;
  }

  get(idKey: string): Doc | undefined {
    return this.documents.get(idKey);
  }

  /**
   * Throws what MongoDB would answer if `doc` were stored; `replacing` is the id key of the
   * document it replaces (an update), undefined for an insert.
   */
  checkWrite(doc: Doc, replacing?: string): number {
    if (doc._id === undefined) throw new MongoCommandError('BadValue', 'document has no _id');
    if (Array.isArray(doc._id) || doc._id instanceof RegExp) {
      throw new MongoCommandError('BadValue', `can't use an array or regex for _id`);
    }
    const size = calculateObjectSize(doc, { ignoreUndefined: true });
    if (size > MAX_BSON_OBJECT_SIZE) {
      throw new MongoCommandError(
        'BSONObjectTooLarge',
        `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`,
      );
    }
    for (const index of this.indexes.values()) {
      const conflict = index.conflictFor(doc, replacing, this.namespace);
      if (conflict) throw conflict;
    }
    return size;
  }

  /** Inserts or replaces (same `_id`) a document already checked by checkWrite. */
  applyPut(doc: Doc, size = calculateObjectSize(doc, { ignoreUndefined: true })): void {
    const idKey = idKeyOf(doc);
    const previous = this.documents.get(idKey);
    if (previous) this.unindex(idKey, previous);
    this.documents.set(idKey, doc);
    this.sizes.set(idKey, size);
    this.dataSize += size;
    for (const index of this.indexes.values()) index.add(idKey, doc);
  }

  applyDelete(idKey: string): Doc | undefined {
    const previous = this.documents.get(idKey);
    if (!previous) return undefined;
    this.unindex(idKey, previous);
    this.documents.delete(idKey);
    return previous;
  }

  private unindex(idKey: string, doc: Doc): void {
    for (const index of this.indexes.values()) index.remove(idKey, doc);
    this.dataSize -= this.sizes.get(idKey) ?? 0;
    this.sizes.delete(idKey);
  }

  /** Builds an index over the existing documents; throws on duplicates. Changes nothing. */
  buildIndex(spec: IndexSpec): CollectionIndex {
    const index = new CollectionIndex(spec);
    for (const [idKey, doc] of this.documents) {
      const conflict = index.conflictFor(doc, undefined, this.namespace);
      if (conflict) throw conflict;
      index.add(idKey, doc);
    }
    return index;
  }

  applyCreateIndex(spec: IndexSpec): void {
    this.indexes.set(spec.name, this.buildIndex(spec));
  }

  /**
   * The documents that may match `filter`: found through an index when the filter has an
   * equality (or small `$in`) on `_id` or on all fields of an index, else every document.
   * The caller still applies the full filter to them.
   */
  candidates(filter: Doc): Iterable<Doc> {
    let best: Set<string> | undefined;
    for (const index of this.indexes.values()) {
      if (index.spec.partialFilterExpression || index.spec.sparse) continue;
      const ids = this.lookupIndex(index, filter);
      if (ids && (!best || ids.size < best.size)) best = ids;
      if (best && best.size <= 1) break;
    }
    if (!best) return this.documents.values();
    const docs: Doc[] = [];
    for (const idKey of best) {
      const doc = this.documents.get(idKey);
      if (doc) docs.push(doc);
    }
    return docs;
  }

  private lookupIndex(index: CollectionIndex, filter: Doc): Set<string> | undefined {
    if (index.fields.length === 1) {
      const condition = filter[index.fields[0]];
      if (condition === undefined) return undefined;
      const equality = equalityValue(condition);
      const values = equality.ok ? [equality.value] : inValues(condition);
      if (!values) return undefined;
      const ids = new Set<string>();
      for (const value of values) for (const id of index.lookup([value]) ?? []) ids.add(id);
      return ids;
    }
    const values: unknown[] = [];
    for (const field of index.fields) {
      const equality = equalityValue(filter[field]);
      if (!equality.ok) return undefined;
      values.push(equality.value);
    }
    return new Set(index.lookup(values) ?? []);
  }
}
