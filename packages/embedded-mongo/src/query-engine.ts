import { Aggregator, ProcessingMode, Query, update as applyModifier } from 'mingo';
import { ObjectId, serialize } from 'bson';
import type { Collection } from './collection.js';
import { cloneDocument, type Doc, indexKeyOf, isPlainObject, setPath } from './documents.js';
import { asCommandError, MongoCommandError } from './errors.js';

/**
 * Matching, projection, sorting, update operators and aggregation are mingo's. Queries are
 * built with `new Query(...)` rather than mingo's `find()` helper, which copies the whole
 * operator table on every call.
 */
const QUERY_OPTIONS = { idKey: '_id' } as const;

export interface FindOptions {
  sort?: Doc;
  skip?: number;
  limit?: number;
  projection?: Doc;
}

function hasKeys(doc: Doc | undefined): doc is Doc {
  return doc !== undefined && Object.keys(doc).length > 0;
}

/** The documents of a collection matching `filter`, with sort/skip/limit/projection. */
export function findDocuments(
  collection: Collection | undefined,
  filter: Doc,
  options: FindOptions = {},
): Doc[] {
  if (!collection) return [];
  try {
    const candidates = [...collection.candidates(filter)];
    let cursor = new Query<Doc>(filter, QUERY_OPTIONS).find<Doc>(
      candidates,
      hasKeys(options.projection) ? options.projection : undefined,
    );
    if (hasKeys(options.sort)) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit) cursor = cursor.limit(Math.abs(options.limit));
    return cursor.all();
  } catch (error) {
    throw asCommandError(error);
  }
}

/** Applies a projection to one document (findAndModify's `fields`). */
export function projectDocument(doc: Doc, projection: Doc | undefined): Doc {
  if (!hasKeys(projection)) return doc;
  try {
    return new Query<Doc>({}, QUERY_OPTIONS).find<Doc>([doc], projection).all()[0] ?? doc;
  } catch (error) {
    throw asCommandError(error);
  }
}

export function aggregateDocuments(
  source: Doc[],
  pipeline: Doc[],
  resolveCollection: (name: string) => Doc[],
): Doc[] {
  for (const stage of pipeline) {
    if ('$out' in stage || '$merge' in stage) {
      throw new MongoCommandError(
        'IllegalOperation',
        '$out and $merge are not supported by the embedded database',
      );
    }
  }
  try {
    return new Aggregator(pipeline, {
      ...QUERY_OPTIONS,
      processingMode: ProcessingMode.CLONE_INPUT,
      collectionResolver: resolveCollection,
    }).run<Doc>(source);
  } catch (error) {
    throw asCommandError(error);
  }
}

export function isOperatorUpdate(update: Doc): boolean {
  const keys = Object.keys(update);
  const operators = keys.filter((key) => key.startsWith('$'));
  if (operators.length > 0 && operators.length !== keys.length) {
    throw new MongoCommandError(
      'FailedToParse',
      'update document mixes update operators and plain fields',
    );
  }
  return operators.length > 0;
}

function sameBson(a: Doc, b: Doc): boolean {
  return Buffer.compare(serialize(a), serialize(b)) === 0;
}

const IMMUTABLE_ID_MESSAGE =
  "Performing an update on the path '_id' would modify the immutable field '_id'";

/**
 * Update operators may not touch `_id`, except `$set` to the value it already has, which is
 * dropped (mingo refuses any `_id` path). Returns the update to apply.
 */
function withoutIdChange(original: Doc, update: Doc): Doc {
  if (original._id === undefined) return update; // an upsert is still choosing its _id
  let result = update;
  for (const [operator, fields] of Object.entries(update)) {
    if (!isPlainObject(fields) || operator === '$setOnInsert') continue;
    for (const [path, value] of Object.entries(fields)) {
      const touchesId =
        path === '_id' || path.startsWith('_id.') || (operator === '$rename' && value === '_id');
      if (!touchesId) continue;
      if (operator === '$set' && path === '_id' && indexKeyOf(value) === indexKeyOf(original._id)) {
        const { _id: _unchanged, ...rest } = fields;
        result = { ...result, $set: rest };
        continue;
      }
      throw new MongoCommandError('ImmutableField', IMMUTABLE_ID_MESSAGE);
    }
  }
  return result;
}

/**
 * The document after applying `update` (operators, a replacement or a pipeline) to a copy
 * of `original`. Returns undefined when nothing changes. `inserting` marks the document an
 * upsert is creating ($setOnInsert applies).
 */
export function updatedDocument(
  original: Doc,
  update: Doc | Doc[],
  options: { arrayFilters?: Doc[]; inserting?: boolean; condition?: Doc } = {},
): Doc | undefined {
  let next: Doc;
  try {
    if (Array.isArray(update)) {
      next = new Aggregator(update, {
        ...QUERY_OPTIONS,
        processingMode: ProcessingMode.CLONE_INPUT,
      }).run([cloneDocument(original)])[0];
    } else if (isOperatorUpdate(update)) {
      next = cloneDocument(original);
      const { $setOnInsert: setOnInsert, ...modifier } = withoutIdChange(
        original,
        update,
      ) as Doc & {
        $setOnInsert?: Doc;
      };
      if (options.inserting && isPlainObject(setOnInsert)) {
        modifier.$set = { ...(isPlainObject(modifier.$set) ? modifier.$set : {}), ...setOnInsert };
      }
      if (Object.keys(modifier).length > 0) {
        applyModifier(next, modifier, options.arrayFilters, options.condition, {
          cloneMode: 'deep',
        });
      }
    } else {
      for (const key of Object.keys(update)) {
        if (key.startsWith('$'))
          throw new MongoCommandError(
            'BadValue',
            `replacement field names cannot start with $: ${key}`,
          );
      }
      next = { _id: original._id, ...cloneDocument(update) };
      if (update._id === undefined) next._id = original._id;
    }
  } catch (error) {
    throw asCommandError(error);
  }
  if (original._id !== undefined && indexKeyOf(next._id) !== indexKeyOf(original._id)) {
    throw new MongoCommandError('ImmutableField', IMMUTABLE_ID_MESSAGE);
  }
  return sameBson(next, original) ? undefined : next;
}

/** The document an upsert inserts: the filter's equality fields, then the update. */
export function upsertDocument(filter: Doc, update: Doc | Doc[], arrayFilters?: Doc[]): Doc {
  const seed: Doc = {};
  if (Array.isArray(update) || isOperatorUpdate(update)) {
    for (const [field, condition] of Object.entries(filter)) {
      if (field.startsWith('$')) continue;
      if (isPlainObject(condition)) {
        const keys = Object.keys(condition);
        if (keys.length === 1 && keys[0] === '$eq') setPath(seed, field, condition.$eq);
        else if (!keys.some((key) => key.startsWith('$'))) setPath(seed, field, condition);
      } else if (!(condition instanceof RegExp)) {
        setPath(seed, field, condition);
      }
    }
  } else if (filter._id !== undefined && !isPlainObject(filter._id)) {
    seed._id = filter._id;
  }
  const base = { ...seed };
  delete base._id;
  const built =
    updatedDocument({ _id: undefined, ...base }, update, { arrayFilters, inserting: true }) ?? base;
  const id = built._id ?? seed._id ?? new ObjectId();
  const { _id: _ignored, ...rest } = built;
  return { _id: id, ...rest };
}
