import { Query } from 'mingo';
import { type Doc, describeValue, indexKeyOf, isPlainObject, valuesAtPath } from './documents.js';
import { MongoCommandError } from './errors.js';

/** An index as createIndexes receives it and listIndexes reports it. */
export interface IndexSpec {
  name: string;
  key: Record<string, unknown>;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
  expireAfterSeconds?: number;
  [option: string]: unknown;
}

/** Most key combinations one document may produce (parallel arrays multiply). */
const MAX_KEYS_PER_DOCUMENT = 10_000;

/** Options whose difference makes two same-named indexes conflict. */
const COMPARED_OPTIONS = [
  'unique',
  'sparse',
  'partialFilterExpression',
  'expireAfterSeconds',
] as const;

export function indexNameFor(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([field, direction]) => `${field}_${String(direction)}`)
    .join('_');
}

export function validateIndexSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw))
    throw new MongoCommandError('TypeMismatch', 'index specification must be an object');
  const key = raw.key;
  if (!isPlainObject(key) || Object.keys(key).length === 0) {
    throw new MongoCommandError(
      'FailedToParse',
      "index specification must have a non-empty 'key' object",
    );
  }
  for (const [field, direction] of Object.entries(key)) {
    const numeric = typeof direction === 'number' && direction !== 0 && Number.isFinite(direction);
    if (!numeric) {
      throw new MongoCommandError(
        'BadValue',
        `index key ${field}: only ascending (1) and descending (-1) keys are supported by the embedded database`,
      );
    }
  }
  const name = typeof raw.name === 'string' && raw.name !== '' ? raw.name : indexNameFor(key);
  if (raw.partialFilterExpression !== undefined && !isPlainObject(raw.partialFilterExpression)) {
    throw new MongoCommandError('TypeMismatch', 'partialFilterExpression must be an object');
  }
  if (
    raw.expireAfterSeconds !== undefined &&
    (typeof raw.expireAfterSeconds !== 'number' || raw.expireAfterSeconds < 0)
  ) {
    throw new MongoCommandError(
      'InvalidOptions',
      'expireAfterSeconds must be a non-negative number',
    );
  }
  const spec: IndexSpec = { ...raw, key, name };
  delete spec.v;
  delete spec.ns;
  return spec;
}

export function sameIndexOptions(a: IndexSpec, b: IndexSpec): boolean {
  return COMPARED_OPTIONS.every(
    (option) => JSON.stringify(a[option] ?? null) === JSON.stringify(b[option] ?? null),
  );
}

export function sameKey(a: IndexSpec, b: IndexSpec): boolean {
  return JSON.stringify(a.key) === JSON.stringify(b.key);
}

interface KeyEntry {
  key: string;
  values: unknown[];
}

/**
 * One index of a collection: index key → ids of the documents holding it. Lookups by equality
 * on the indexed fields are hash lookups; unique indexes reject a second holder of a key.
 */
export class CollectionIndex {
  readonly fields: string[];
  private readonly entries = new Map<string, Set<string>>();
  private readonly partialFilter?: Query;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    if (spec.partialFilterExpression) {
      try {
        this.partialFilter = new Query(spec.partialFilterExpression, {});
      } catch (error) {
        throw new MongoCommandError(
          'BadValue',
          `invalid partialFilterExpression: ${(error as Error).message}`,
        );
      }
    }
  }

  get name(): string {
    return this.spec.name;
  }

  get unique(): boolean {
    return this.spec.unique === true || this.spec.name === '_id_';
  }

  /** The keys a document has in this index, or none when sparse/partial leave it out. */
  keysFor(doc: Doc): KeyEntry[] {
    if (this.partialFilter && !this.partialFilter.test(doc)) return [];
    const perField = this.fields.map((field) => [...new Set(valuesAtPath(doc, field))]);
    if (
      this.spec.sparse &&
      perField.every((values) => values.every((value) => value === undefined))
    ) {
      return [];
    }
    let combinations: unknown[][] = [[]];
    for (const values of perField) {
      const next: unknown[][] = [];
      for (const prefix of combinations)
        for (const value of values) next.push([...prefix, value ?? null]);
      if (next.length > MAX_KEYS_PER_DOCUMENT) {
        throw new MongoCommandError(
          'BadValue',
          `cannot index parallel arrays in index ${this.name}`,
        );
      }
      combinations = next;
    }
    const seen = new Map<string, KeyEntry>();
    for (const values of combinations) {
      const key = this.keyOfValues(values);
      if (!seen.has(key)) seen.set(key, { key, values });
    }
    return [...seen.values()];
  }

  keyOfValues(values: unknown[]): string {
    return values.length === 1 ? indexKeyOf(values[0]) : JSON.stringify(values.map(indexKeyOf));
  }

  add(idKey: string, doc: Doc): void {
    for (const { key } of this.keysFor(doc)) {
      let holders = this.entries.get(key);
      if (!holders) this.entries.set(key, (holders = new Set()));
      holders.add(idKey);
    }
  }

  remove(idKey: string, doc: Doc): void {
    for (const { key } of this.keysFor(doc)) {
      const holders = this.entries.get(key);
      if (!holders) continue;
      holders.delete(idKey);
      if (holders.size === 0) this.entries.delete(key);
    }
  }

  /** Ids of documents holding exactly these field values. */
  lookup(values: unknown[]): ReadonlySet<string> | undefined {
    return this.entries.get(this.keyOfValues(values));
  }

  /**
   * For a unique index: the duplicate-key error storing this document would cause, ignoring
   * the document it replaces (`replacing`, an id key), or undefined.
   */
  conflictFor(
    doc: Doc,
    replacing: string | undefined,
    namespace: string,
  ): MongoCommandError | undefined {
    if (!this.unique) return undefined;
    for (const { key, values } of this.keysFor(doc)) {
      const holders = this.entries.get(key);
      if (!holders || holders.size === 0) continue;
      if (replacing !== undefined && holders.size === 1 && holders.has(replacing)) continue;
      const keyValue: Doc = {};
      this.fields.forEach((field, index) => (keyValue[field] = values[index]));
      return new MongoCommandError(
        'DuplicateKey',
        `E11000 duplicate key error collection: ${namespace} index: ${this.name} dup key: ${describeValue(keyValue)}`,
        { keyPattern: this.spec.key, keyValue },
      );
    }
    return undefined;
  }

  clear(): void {
    this.entries.clear();
  }
}
