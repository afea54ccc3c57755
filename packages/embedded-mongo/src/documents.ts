import { deserialize, ObjectId, serialize } from 'bson';

/** A stored document: what `bson.deserialize` gives for a client's document. */
export type Doc = Record<string, unknown>;

const CLONE_DESERIALIZE = { promoteLongs: true, promoteValues: true } as const;

/** A deep copy that keeps BSON types (ObjectId, Date, Binary, ...) intact. */
export function cloneDocument<T extends Doc>(doc: T): T {
  return deserialize(serialize(doc, { ignoreUndefined: true }), CLONE_DESERIALIZE) as T;
}

export function isPlainObject(value: unknown): value is Doc {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if (value instanceof Date || value instanceof RegExp) return false;
  // BSON value classes (ObjectId, Binary, Decimal128, ...) carry a _bsontype tag.
  return (value as { _bsontype?: unknown })._bsontype === undefined;
}

/**
 * Every value found at a dotted path, descending into arrays the way MongoDB indexes do
 * ("multikey"): `{tags: ['a', 'b']}` at `tags` gives `['a', 'b']`. A missing field gives
 * `[undefined]`; an empty array too (it is indexed like a missing value).
 */
export function valuesAtPath(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out.length === 0 ? [undefined] : out;
}

function collect(value: unknown, parts: string[], index: number, out: unknown[]): void {
  if (index === parts.length) {
    if (Array.isArray(value))
      out.push(...(value.length === 0 ? [undefined] : (value as unknown[])));
    else out.push(value);
    return;
  }
  if (Array.isArray(value)) {
    const part = parts[index];
    if (/^\d+$/.test(part)) collect(value[Number(part)], parts, index + 1, out);
    else for (const element of value) collect(element, parts, index, out);
    return;
  }
  if (isPlainObject(value)) collect(value[parts[index]], parts, index + 1, out);
  else out.push(undefined);
}

/**
 * A string that is equal for two values exactly when MongoDB's index considers them equal:
 * numbers of any BSON numeric type compare by value, other types by type and content.
 * Missing and null share one key, as in MongoDB.
 */
export function indexKeyOf(value: unknown): string {
  if (value === undefined || value === null) return 'N';
  switch (typeof value) {
    case 'number':
      return `n${Object.is(value, -0) ? 0 : value}`;
    case 'bigint':
      return `n${value}`;
    case 'string':
      return `s${value}`;
    case 'boolean':
      return value ? 'b1' : 'b0';
    case 'function':
    case 'symbol':
      return `t${typeof value}`;
    case 'object':
    case 'undefined':
      break;
  }
  if (value instanceof Date) return `d${value.getTime()}`;
  if (value instanceof RegExp) return `r${value.toString()}`;
  if (value instanceof ObjectId) return `o${value.toHexString()}`;
  if (Array.isArray(value)) return `a[${value.map(indexKeyOf).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .map(([key, inner]) => `${JSON.stringify(key)}:${indexKeyOf(inner)}`)
      .join(',')}}`;
  }
  const tagged = value as { _bsontype?: string; toString(): string; toJSON?: () => unknown };
  if (
    tagged._bsontype === 'Long' ||
    tagged._bsontype === 'Int32' ||
    tagged._bsontype === 'Double'
  ) {
    return `n${Number(tagged.toString())}`;
  }
  if (tagged._bsontype === 'Binary' || tagged._bsontype === 'UUID') {
    return `x${JSON.stringify(tagged.toJSON?.() ?? tagged.toString())}`;
  }
  return `t${tagged._bsontype ?? typeof value}:${tagged.toString()}`;
}

/** The key under which a document is stored: its `_id`. */
export function idKeyOf(doc: Doc): string {
  return indexKeyOf(doc._id);
}

/** Sets a dotted path on a plain object, creating intermediate objects. */
export function setPath(target: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Doc = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (!isPlainObject(next)) node[part] = {};
    node = node[part] as Doc;
  }
  node[parts[parts.length - 1]] = value;
}

/** A printable form of a value for error messages (`{ username: "alice" }`). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof ObjectId) return `ObjectId('${value.toHexString()}')`;
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[ ${value.map(describeValue).join(', ')} ]`;
  if (isPlainObject(value)) {
    const inner = Object.entries(value)
      .map(([key, v]) => `${key}: ${describeValue(v)}`)
      .join(', ');
    return `{ ${inner} }`;
  }
  return (value as { toString(): string }).toString();
}
