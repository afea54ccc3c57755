import { ObjectId } from 'bson';
import {
  type CommandContext,
  type CommandHandler,
  collectionNameOf,
  optionalDocument,
  optionalNumber,
  requiredArray,
} from './command-context.js';
import { type Doc, indexKeyOf, isPlainObject, valuesAtPath } from './documents.js';
import { asCommandError, MongoCommandError } from './errors.js';
import {
  aggregateDocuments,
  findDocuments,
  projectDocument,
  updatedDocument,
  upsertDocument,
} from './query-engine.js';

interface WriteError {
  index: number;
  code: number;
  errmsg: string;
  [extra: string]: unknown;
}

function writeErrorOf(index: number, error: unknown): WriteError {
  const failure = asCommandError(error);
  return { index, code: failure.code, errmsg: failure.message, ...failure.extra };
}

function writeReply(fields: Doc, writeErrors: WriteError[]): Doc {
  return writeErrors.length > 0 ? { ...fields, writeErrors, ok: 1 } : { ...fields, ok: 1 };
}

function namespaceOf(context: CommandContext, collection: string): string {
  return `${context.database}.${collection}`;
}

function optionalArrayOfDocuments(command: Doc, field: string): Doc[] | undefined {
  const value = command[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every(isPlainObject)) {
    throw new MongoCommandError('TypeMismatch', `'${field}' must be an array of objects`);
  }
  return value;
}

function updateSpecOf(value: unknown): Doc | Doc[] {
  if (Array.isArray(value) && value.every(isPlainObject)) return value;
  if (isPlainObject(value)) return value;
  throw new MongoCommandError('FailedToParse', 'update must be an object or a pipeline');
}

const insert: CommandHandler = (command, context) => {
  const name = collectionNameOf(command, 'insert');
  const documents = requiredArray(command, 'documents');
  const ordered = command.ordered !== false;
  const { collection } = context.engine.ensureCollection(context.database, name);
  const writeErrors: WriteError[] = [];
  let n = 0;
  for (const [index, raw] of documents.entries()) {
    try {
      if (!isPlainObject(raw))
        throw new MongoCommandError('TypeMismatch', 'documents must be objects');
      const doc = raw._id === undefined ? { _id: new ObjectId(), ...raw } : raw;
      context.engine.insert(collection, doc);
      n++;
    } catch (error) {
      writeErrors.push(writeErrorOf(index, error));
      if (ordered) break;
    }
  }
  return writeReply({ n }, writeErrors);
};

const find: CommandHandler = (command, context) => {
  const name = collectionNameOf(command, 'find');
  const limit = optionalNumber(command, 'limit');
  const documents = findDocuments(
    context.engine.collection(context.database, name),
    optionalDocument(command, 'filter') ?? {},
    {
      sort: optionalDocument(command, 'sort'),
      projection: optionalDocument(command, 'projection'),
      skip: optionalNumber(command, 'skip'),
      limit,
    },
  );
  const singleBatch = command.singleBatch === true || (limit !== undefined && limit < 0);
  return context.cursors.start(
    namespaceOf(context, name),
    documents,
    optionalNumber(command, 'batchSize'),
    singleBatch,
  ) as unknown as Doc;
};

const getMore: CommandHandler = (command, context) => {
  const id = command.getMore;
  if (typeof id !== 'number')
    throw new MongoCommandError('TypeMismatch', "'getMore' must be a cursor id");
  const collection = command.collection;
  if (typeof collection !== 'string') {
    throw new MongoCommandError('TypeMismatch', "'collection' must be a string");
  }
  return context.cursors.more(
    id,
    namespaceOf(context, collection),
    optionalNumber(command, 'batchSize'),
  ) as unknown as Doc;
};

const killCursors: CommandHandler = (command, context) => {
  collectionNameOf(command, 'killCursors');
  const ids = requiredArray(command, 'cursors').filter(
    (id): id is number => typeof id === 'number',
  );
  const { killed, notFound } = context.cursors.kill(ids);
  return {
    cursorsKilled: killed,
    cursorsNotFound: notFound,
    cursorsAlive: [],
    cursorsUnknown: [],
    ok: 1,
  };
};

const update: CommandHandler = (command, context) => {
  const name = collectionNameOf(command, 'update');
  const updates = requiredArray(command, 'updates');
  const ordered = command.ordered !== false;
  const { engine } = context;
  const writeErrors: WriteError[] = [];
  const upserted: Doc[] = [];
  let n = 0;
  let nModified = 0;
  for (const [index, raw] of updates.entries()) {
    try {
      if (!isPlainObject(raw))
        throw new MongoCommandError('TypeMismatch', 'updates must be objects');
      const filter = optionalDocument(raw, 'q') ?? {};
      const spec = updateSpecOf(raw.u);
      const arrayFilters = optionalArrayOfDocuments(raw, 'arrayFilters');
      const { collection } = engine.ensureCollection(context.database, name);
      const matches = findDocuments(collection, filter, {
        limit: raw.multi === true ? undefined : 1,
        sort: optionalDocument(raw, 'sort'),
      });
      for (const doc of matches) {
        const next = updatedDocument(doc, spec, { arrayFilters, condition: filter });
        n++;
        if (next) {
          engine.replace(collection, next);
          nModified++;
        }
      }
      if (matches.length === 0 && raw.upsert === true) {
        const doc = upsertDocument(filter, spec, arrayFilters);
        engine.insert(collection, doc);
        upserted.push({ index, _id: doc._id });
        n++;
      }
    } catch (error) {
      writeErrors.push(writeErrorOf(index, error));
      if (ordered) break;
    }
  }
  const fields: Doc = { n, nModified };
  if (upserted.length > 0) fields.upserted = upserted;
  return writeReply(fields, writeErrors);
};

const deleteCommand: CommandHandler = (command, context) => {
  const name = collectionNameOf(command, 'delete');
  const deletes = requiredArray(command, 'deletes');
  const ordered = command.ordered !== false;
  const collection = context.engine.collection(context.database, name);
  const writeErrors: WriteError[] = [];
  let n = 0;
  for (const [index, raw] of deletes.entries()) {
    try {
      if (!isPlainObject(raw))
        throw new MongoCommandError('TypeMismatch', 'deletes must be objects');
      const limit = raw.limit;
      if (limit !== 0 && limit !== 1) {
        throw new MongoCommandError('FailedToParse', 'delete limit must be 0 (all) or 1 (one)');
      }
      for (const doc of findDocuments(collection, optionalDocument(raw, 'q') ?? {}, {
        limit: limit === 1 ? 1 : undefined,
      })) {
        if (collection) context.engine.delete(collection, doc);
        n++;
      }
    } catch (error) {
      writeErrors.push(writeErrorOf(index, error));
      if (ordered) break;
    }
  }
  return writeReply({ n }, writeErrors);
};

const findAndModify: CommandHandler = (command, context) => {
  const name = collectionNameOf(command, 'findAndModify');
  const filter = optionalDocument(command, 'query') ?? {};
  const fields = optionalDocument(command, 'fields');
  const returnNew = command.new === true;
  const { engine } = context;
  const { collection } = engine.ensureCollection(context.database, name);
  const [doc] = findDocuments(collection, filter, {
    sort: optionalDocument(command, 'sort'),
    limit: 1,
  });

  if (command.remove === true) {
    if (command.update !== undefined) {
      throw new MongoCommandError('FailedToParse', 'remove and update cannot both be specified');
    }
    if (doc) engine.delete(collection, doc);
    return {
      lastErrorObject: { n: doc ? 1 : 0 },
      value: doc ? projectDocument(doc, fields) : null,
      ok: 1,
    };
  }
  if (command.update === undefined) {
    throw new MongoCommandError(
      'FailedToParse',
      'either an update or remove=true must be specified',
    );
  }
  const spec = updateSpecOf(command.update);
  const arrayFilters = optionalArrayOfDocuments(command, 'arrayFilters');
  if (doc) {
    const next = updatedDocument(doc, spec, { arrayFilters, condition: filter });
    if (next) engine.replace(collection, next);
    const value = returnNew ? (next ?? doc) : doc;
    return {
      lastErrorObject: { n: 1, updatedExisting: true },
      value: projectDocument(value, fields),
      ok: 1,
    };
  }
  if (command.upsert === true) {
    const created = upsertDocument(filter, spec, arrayFilters);
    engine.insert(collection, created);
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: created._id },
      value: returnNew ? projectDocument(created, fields) : null,
      ok: 1,
    };
  }
  return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
};

const count: CommandHandler = (command, context) => {
  const name = collectionNameOf(command, 'count');
  const documents = findDocuments(
    context.engine.collection(context.database, name),
    optionalDocument(command, 'query') ?? {},
    { skip: optionalNumber(command, 'skip'), limit: optionalNumber(command, 'limit') },
  );
  return { n: documents.length, ok: 1 };
};

const distinct: CommandHandler = (command, context) => {
  const name = collectionNameOf(command, 'distinct');
  const key = command.key;
  if (typeof key !== 'string' || key === '') {
    throw new MongoCommandError('TypeMismatch', "'key' must be a non-empty string");
  }
  const seen = new Map<string, unknown>();
  const documents = findDocuments(
    context.engine.collection(context.database, name),
    optionalDocument(command, 'query') ?? {},
  );
  for (const doc of documents) {
    for (const value of valuesAtPath(doc, key)) {
      if (value !== undefined && !seen.has(indexKeyOf(value))) seen.set(indexKeyOf(value), value);
    }
  }
  return { values: [...seen.values()], ok: 1 };
};

const aggregate: CommandHandler = (command, context) => {
  const target = command.aggregate;
  if (typeof target !== 'string') {
    throw new MongoCommandError(
      'InvalidNamespace',
      'collection-less aggregation is not supported by the embedded database',
    );
  }
  const pipeline = optionalArrayOfDocuments(command, 'pipeline');
  if (!pipeline)
    throw new MongoCommandError('FailedToParse', "'pipeline' must be an array of stages");
  const cursorOptions = optionalDocument(command, 'cursor');
  if (!cursorOptions)
    throw new MongoCommandError('FailedToParse', "The 'cursor' option is required");
  const collection = context.engine.collection(context.database, target);
  // A leading $match can use the indexes; the rest runs in mingo.
  const first = pipeline[0];
  const leadingMatch = first && isPlainObject(first.$match) ? first.$match : undefined;
  const source = collection
    ? leadingMatch
      ? findDocuments(collection, leadingMatch)
      : [...collection.documents.values()]
    : [];
  const results = aggregateDocuments(
    source,
    leadingMatch ? pipeline.slice(1) : pipeline,
    (other) => [...(context.engine.collection(context.database, other)?.documents.values() ?? [])],
  );
  return context.cursors.start(
    namespaceOf(context, target),
    results,
    optionalNumber(cursorOptions, 'batchSize'),
  ) as unknown as Doc;
};

export const CRUD_COMMANDS: Record<string, CommandHandler> = {
  insert,
  find,
  getMore,
  killCursors,
  update,
  delete: deleteCommand,
  findAndModify,
  findandmodify: findAndModify,
  count,
  distinct,
  aggregate,
};
