import { Collection, ID_INDEX } from './collection.js';
import { type Doc, idKeyOf, indexKeyOf, valuesAtPath } from './documents.js';
import { MongoCommandError } from './errors.js';
import { type IndexSpec, sameIndexOptions, sameKey } from './indexes.js';
import { Journal, type JournalFileSystem, type JournalLog, type JournalRecord } from './journal.js';

export interface StorageOptions {
  /** Directory for the journal; null keeps everything in memory only. */
  dataDir: string | null;
  /** Receives what storage does on its own (a torn journal record cut off at start). */
  log?: JournalLog;
  /** The journal's file operations; node:fs unless a test injects faults. */
  fileSystem?: JournalFileSystem;
}

/** Compact when the journal exceeds the live data by this factor (plus a floor). */
const COMPACTION_FACTOR = 2;
const COMPACTION_FLOOR_BYTES = 4 * 1024 * 1024;

const VALID_NAME = /^[^\0$/\\. "*<>:|?]+$/;

function validateDatabaseName(name: string): void {
  if (!VALID_NAME.test(name) || name.length > 64) {
    throw new MongoCommandError('InvalidNamespace', `Invalid database name: '${name}'`);
  }
}

function validateCollectionName(name: string): void {
  if (name === '' || name.includes('\0') || name.includes('$') || name.startsWith('system.')) {
    throw new MongoCommandError('InvalidNamespace', `Invalid collection name: '${name}'`);
  }
}

/**
 * Databases and collections in memory, with every change journaled before it is applied
 * (when a data directory is configured). All methods are synchronous, so each write is
 * atomic with respect to every other: checks and changes cannot interleave.
 */
export class StorageEngine {
  private readonly databases = new Map<string, Map<string, Collection>>();
  private readonly journal?: Journal;
  private readonly log: JournalLog;
  /** After a failed compaction, the journal size at which to try again. */
  private compactionRetrySize = 0;

  private constructor(journal?: Journal, log: JournalLog = () => undefined) {
    this.journal = journal;
    this.log = log;
  }

  static open(options: StorageOptions): StorageEngine {
    if (options.dataDir === null) return new StorageEngine();
    const journal = Journal.open(options.dataDir, {
      log: options.log,
      fileSystem: options.fileSystem,
    });
    const engine = new StorageEngine(journal, options.log);
    try {
      journal.replay((record) => engine.apply(record));
      engine.compactIfLarge();
    } catch (error) {
      journal.close();
      throw error;
    }
    return engine;
  }

  get dataDir(): string | undefined {
    return this.journal?.directory;
  }

  close(): void {
    this.journal?.close();
  }

  databaseNames(): string[] {
    return [...this.databases.keys()];
  }

  collections(database: string): Collection[] {
    return [...(this.databases.get(database)?.values() ?? [])];
  }

  collection(database: string, name: string): Collection | undefined {
    return this.databases.get(database)?.get(name);
  }

  /** The collection, created (and journaled) on first use as MongoDB does. */
  ensureCollection(database: string, name: string): { collection: Collection; created: boolean } {
    const existing = this.collection(database, name);
    if (existing) return { collection: existing, created: false };
    validateDatabaseName(database);
    validateCollectionName(name);
    this.commit({ t: 'createCollection', db: database, c: name, options: {} });
    return { collection: this.collectionOrFail(database, name), created: true };
  }

  createCollection(database: string, name: string, options: Doc): void {
    if (this.collection(database, name)) {
      throw new MongoCommandError(
        'NamespaceExists',
        `Collection ${database}.${name} already exists.`,
      );
    }
    validateDatabaseName(database);
    validateCollectionName(name);
    this.commit({ t: 'createCollection', db: database, c: name, options });
  }

  dropCollection(database: string, name: string): Collection | undefined {
    const existing = this.collection(database, name);
    if (existing) this.commit({ t: 'dropCollection', db: database, c: name });
    return existing;
  }

  dropDatabase(database: string): void {
    if (this.databases.has(database)) this.commit({ t: 'dropDatabase', db: database });
  }

  insert(collection: Collection, doc: Doc): void {
    collection.checkWrite(doc);
    this.commit({ t: 'put', db: collection.database, c: collection.name, doc });
  }

  /** Replaces a stored document by `next` (same `_id`). */
  replace(collection: Collection, next: Doc): void {
    collection.checkWrite(next, idKeyOf(next));
    this.commit({ t: 'put', db: collection.database, c: collection.name, doc: next });
  }

  delete(collection: Collection, doc: Doc): void {
    this.commit({ t: 'delete', db: collection.database, c: collection.name, id: doc._id });
  }

  /** 'created', or 'exists' when an identical index is already there. */
  createIndex(collection: Collection, spec: IndexSpec): 'created' | 'exists' {
    for (const existing of collection.indexes.values()) {
      const sameName = existing.name === spec.name;
      if (sameName && sameKey(existing.spec, spec) && sameIndexOptions(existing.spec, spec))
        return 'exists';
      if (sameName) {
        throw new MongoCommandError(
          sameKey(existing.spec, spec) ? 'IndexOptionsConflict' : 'IndexKeySpecsConflict',
          `An existing index has the same name as the requested index: ${spec.name}`,
        );
      }
      if (sameKey(existing.spec, spec) && !sameIndexOptions(existing.spec, spec)) {
        throw new MongoCommandError(
          'IndexOptionsConflict',
          `An index with the same key pattern exists with different options: ${existing.name}`,
        );
      }
    }
    collection.buildIndex(spec); // throws on duplicates before anything is journaled
    this.commit({ t: 'createIndex', db: collection.database, c: collection.name, spec });
    return 'created';
  }

  dropIndex(collection: Collection, name: string): void {
    if (name === ID_INDEX.name)
      throw new MongoCommandError('InvalidOptions', 'cannot drop _id index');
    if (!collection.indexes.has(name)) {
      throw new MongoCommandError('IndexNotFound', `index not found with name [${name}]`);
    }
    this.commit({ t: 'dropIndex', db: collection.database, c: collection.name, name });
  }

  /** Deletes documents whose TTL index field is older than its expireAfterSeconds. */
  removeExpired(now = Date.now()): number {
    let removed = 0;
    for (const collections of this.databases.values()) {
      for (const collection of collections.values()) {
        for (const index of collection.indexes.values()) {
          const ttl = index.spec.expireAfterSeconds;
          if (ttl === undefined || index.fields.length !== 1) continue;
          const expired: Doc[] = [];
          for (const doc of collection.documents.values()) {
            const dates = valuesAtPath(doc, index.fields[0]).filter(
              (v): v is Date => v instanceof Date,
            );
            if (dates.length === 0) continue;
            const earliest = Math.min(...dates.map((date) => date.getTime()));
            if (earliest + ttl * 1000 <= now) expired.push(doc);
          }
          for (const doc of expired) {
            if (collection.get(idKeyOf(doc))) {
              this.delete(collection, doc);
              removed++;
            }
          }
        }
      }
    }
    return removed;
  }

  /**
   * Journal first (so a failed write changes nothing), then apply in memory. Once journaled
   * the write has succeeded: compaction failing after it does not change that.
   */
  private commit(record: JournalRecord): void {
    this.journal?.append(record);
    this.apply(record);
    this.compactIfLarge();
  }

  private collectionOrFail(database: string, name: string): Collection {
    const collection = this.collection(database, name);
    if (!collection)
      throw new MongoCommandError('NamespaceNotFound', `ns not found: ${database}.${name}`);
    return collection;
  }

  private apply(record: JournalRecord): void {
    switch (record.t) {
      case 'createCollection': {
        let collections = this.databases.get(record.db);
        if (!collections)
          this.databases.set(record.db, (collections = new Map<string, Collection>()));
        if (!collections.has(record.c)) {
          collections.set(record.c, new Collection(record.db, record.c, record.options));
        }
        return;
      }
      case 'dropCollection': {
        const collections = this.databases.get(record.db);
        collections?.delete(record.c);
        if (collections?.size === 0) this.databases.delete(record.db);
        return;
      }
      case 'dropDatabase':
        this.databases.delete(record.db);
        return;
      case 'createIndex':
        this.collectionOrFail(record.db, record.c).applyCreateIndex(record.spec);
        return;
      case 'dropIndex':
        this.collectionOrFail(record.db, record.c).indexes.delete(record.name);
        return;
      case 'put':
        this.collectionOrFail(record.db, record.c).applyPut(record.doc);
        return;
      case 'delete':
        this.collectionOrFail(record.db, record.c).applyDelete(indexKeyOf(record.id));
        return;
    }
  }

  /**
   * Rewrites a journal grown well past the live data. Never throws: a failure (a full disk)
   * is logged, and compaction is tried again once the journal has grown by another
   * COMPACTION_FLOOR_BYTES, or at the next start.
   */
  private compactIfLarge(): void {
    // Runs after every write: only past the floor is the live size worth adding up.
    const journal = this.journal;
    if (!journal || journal.size <= Math.max(COMPACTION_FLOOR_BYTES, this.compactionRetrySize)) {
      return;
    }
    let live = 0;
    for (const collections of this.databases.values()) {
      for (const collection of collections.values()) live += collection.dataSize;
    }
    if (journal.size <= live * COMPACTION_FACTOR) return;
    try {
      journal.rewrite(this.snapshot());
      this.compactionRetrySize = 0;
    } catch (error) {
      this.compactionRetrySize = journal.size + COMPACTION_FLOOR_BYTES;
      this.log(
        'error',
        `journal compaction failed (the journal is intact and every write is kept; it is ` +
          `tried again once the journal grows by another ${COMPACTION_FLOOR_BYTES / 1024 / 1024} MB, ` +
          `or at the next start): ${(error as Error).message}`,
      );
    }
  }

  /** The live state as the shortest list of records that rebuilds it. */
  private *snapshot(): Generator<JournalRecord> {
    for (const [db, collections] of this.databases) {
      for (const collection of collections.values()) {
        yield { t: 'createCollection', db, c: collection.name, options: collection.options };
        for (const index of collection.indexes.values()) {
          if (index.name !== ID_INDEX.name)
            yield { t: 'createIndex', db, c: collection.name, spec: index.spec };
        }
        for (const doc of collection.documents.values())
          yield { t: 'put', db, c: collection.name, doc };
      }
    }
  }
}
