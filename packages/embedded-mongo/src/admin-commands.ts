import { hostname } from 'node:os';
import { Long } from 'bson';
import { Query } from 'mingo';
import {
  type CommandContext,
  type CommandHandler,
  collectionNameOf,
  optionalDocument,
  requiredArray,
} from './command-context.js';
import { type Doc, isPlainObject } from './documents.js';
import { MongoCommandError, TRANSACTIONS_UNSUPPORTED } from './errors.js';
import { validateIndexSpec } from './indexes.js';
import { MAX_BSON_OBJECT_SIZE, MAX_MESSAGE_SIZE_BYTES } from './wire-protocol.js';

/** The MongoDB version whose behaviour the engine follows, and its wire-protocol range. */
export const EMULATED_VERSION = '7.0.0';
const MAX_WIRE_VERSION = 21;
const MAX_WRITE_BATCH_SIZE = 100_000;
const LOGICAL_SESSION_TIMEOUT_MINUTES = 30;

/**
 * No `topologyVersion`: with it, drivers switch to the streaming monitoring protocol (awaited,
 * exhaust-mode `hello`), which this server does not implement; they poll instead.
 */
const hello: CommandHandler = (_command, context) => ({
  helloOk: true,
  isWritablePrimary: true,
  ismaster: true,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
  maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
  localTime: new Date(),
  logicalSessionTimeoutMinutes: LOGICAL_SESSION_TIMEOUT_MINUTES,
  connectionId: context.connectionId,
  minWireVersion: 0,
  maxWireVersion: MAX_WIRE_VERSION,
  readOnly: false,
  ok: 1,
});

const buildInfo: CommandHandler = () => ({
  version: EMULATED_VERSION,
  versionArray: [7, 0, 0, 0],
  gitVersion: 'embedded',
  modules: [],
  allocator: 'system',
  javascriptEngine: 'none',
  sysInfo: 'deprecated',
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  storageEngines: ['embedded'],
  ok: 1,
});

const ok: CommandHandler = () => ({ ok: 1 });

function collectionInfo(name: string, options: Doc): Doc {
  return {
    name,
    type: 'collection',
    options,
    info: { readOnly: false },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  };
}

const listCollections: CommandHandler = (command, context) => {
  const filter = optionalDocument(command, 'filter');
  const nameOnly = command.nameOnly === true;
  let infos = context.engine
    .collections(context.database)
    .map((collection) => collectionInfo(collection.name, collection.options));
  if (filter && Object.keys(filter).length > 0) {
    const query = new Query(filter, {});
    infos = infos.filter((info) => query.test(info));
  }
  const documents = nameOnly ? infos.map((info) => ({ name: info.name, type: info.type })) : infos;
  const cursor = optionalDocument(command, 'cursor');
  const batchSize = typeof cursor?.batchSize === 'number' ? cursor.batchSize : undefined;
  return context.cursors.start(
    `${context.database}.$cmd.listCollections`,
    documents,
    batchSize,
  ) as unknown as Doc;
};

const create: CommandHandler = (command, context) => {
  const name = collectionNameOf(command, 'create');
  const options: Doc = {};
  for (const [key, value] of Object.entries(command)) {
    if (
      key === 'create' ||
      key.startsWith('$') ||
      ['lsid', 'writeConcern', 'txnNumber'].includes(key)
    )
      continue;
    options[key] = value;
  }
  context.engine.createCollection(context.database, name, options);
  return { ok: 1 };
};

const drop: CommandHandler = (command, context) => {
  const name = collectionNameOf(command, 'drop');
  const dropped = context.engine.dropCollection(context.database, name);
  if (!dropped) throw new MongoCommandError('NamespaceNotFound', 'ns not found');
  return { nIndexesWas: dropped.indexes.size, ns: dropped.namespace, ok: 1 };
};

const dropDatabase: CommandHandler = (_command, context) => {
  context.engine.dropDatabase(context.database);
  return { dropped: context.database, ok: 1 };
};

function databaseSize(context: CommandContext, database: string): number {
  return context.engine
    .collections(database)
    .reduce((total, collection) => total + collection.dataSize, 0);
}

const listDatabases: CommandHandler = (command, context) => {
  const names = context.engine.databaseNames();
  const databases = names.map((name) =>
    command.nameOnly === true
      ? { name }
      : {
          name,
          sizeOnDisk: databaseSize(context, name),
          empty: context.engine.collections(name).length === 0,
        },
  );
  const totalSize = names.reduce((total, name) => total + databaseSize(context, name), 0);
  return { databases, totalSize, totalSizeMb: Math.round(totalSize / 1024 / 1024), ok: 1 };
};

const dbStats: CommandHandler = (_command, context) => {
  const collections = context.engine.collections(context.database);
  return {
    db: context.database,
    collections: collections.length,
    views: 0,
    objects: collections.reduce((total, collection) => total + collection.documents.size, 0),
    dataSize: databaseSize(context, context.database),
    indexes: collections.reduce((total, collection) => total + collection.indexes.size, 0),
    ok: 1,
  };
};

const createIndexes: CommandHandler = (command, context) => {
  const name = collectionNameOf(command, 'createIndexes');
  const specs = requiredArray(command, 'indexes').map(validateIndexSpec);
  if (specs.length === 0)
    throw new MongoCommandError('BadValue', 'Must specify at least one index to create');
  const { collection, created } = context.engine.ensureCollection(context.database, name);
  const numIndexesBefore = collection.indexes.size;
  const results = specs.map((spec) => context.engine.createIndex(collection, spec));
  const reply: Doc = {
    createdCollectionAutomatically: created,
    numIndexesBefore,
    numIndexesAfter: collection.indexes.size,
    ok: 1,
  };
  if (results.every((result) => result === 'exists')) reply.note = 'all indexes already exist';
  return reply;
};

const listIndexes: CommandHandler = (command, context) => {
  const name = collectionNameOf(command, 'listIndexes');
  const collection = context.engine.collection(context.database, name);
  if (!collection)
    throw new MongoCommandError(
      'NamespaceNotFound',
      `ns does not exist: ${context.database}.${name}`,
    );
  const documents = [...collection.indexes.values()].map((index) => ({ v: 2, ...index.spec }));
  return context.cursors.start(collection.namespace, documents) as unknown as Doc;
};

const dropIndexes: CommandHandler = (command, context) => {
  const name = collectionNameOf(command, 'dropIndexes');
  const collection = context.engine.collection(context.database, name);
  if (!collection)
    throw new MongoCommandError('NamespaceNotFound', `ns not found ${context.database}.${name}`);
  const nIndexesWas = collection.indexes.size;
  const target = command.index;
  let names: string[];
  if (target === '*') {
    names = [...collection.indexes.keys()].filter((indexName) => indexName !== '_id_');
  } else if (typeof target === 'string') {
    names = [target];
  } else if (
    Array.isArray(target) &&
    target.every((item): item is string => typeof item === 'string')
  ) {
    names = target;
  } else if (isPlainObject(target)) {
    const wanted = JSON.stringify(target);
    const match = [...collection.indexes.values()].find(
      (index) => JSON.stringify(index.spec.key) === wanted,
    );
    if (!match)
      throw new MongoCommandError('IndexNotFound', `can't find index with key: ${wanted}`);
    names = [match.name];
  } else {
    throw new MongoCommandError(
      'TypeMismatch',
      "'index' must be a name, a key pattern, an array of names or '*'",
    );
  }
  for (const indexName of names) context.engine.dropIndex(collection, indexName);
  return { nIndexesWas, ok: 1 };
};

const serverStatus: CommandHandler = (_command, context) => ({
  host: `${hostname()}:${context.server.port}`,
  version: EMULATED_VERSION,
  process: 'mongod',
  pid: Long.fromNumber(process.pid),
  uptime: Math.floor((Date.now() - context.server.startedAt) / 1000),
  uptimeMillis: Long.fromNumber(Date.now() - context.server.startedAt),
  localTime: new Date(),
  ok: 1,
});

const transactionsUnsupported: CommandHandler = () => {
  throw new MongoCommandError('NotImplemented', TRANSACTIONS_UNSUPPORTED);
};

export const ADMIN_COMMANDS: Record<string, CommandHandler> = {
  hello,
  ismaster: hello,
  isMaster: hello,
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  endSessions: ok,
  killSessions: ok,
  killAllSessions: ok,
  refreshSessions: ok,
  listCollections,
  create,
  drop,
  dropDatabase,
  listDatabases,
  dbStats,
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
  serverStatus,
  connectionStatus: () => ({
    authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] },
    ok: 1,
  }),
  hostInfo: () => ({
    system: { hostname: hostname() },
    os: { type: process.platform },
    extra: {},
    ok: 1,
  }),
  getParameter: () => ({ featureCompatibilityVersion: { version: '7.0' }, ok: 1 }),
  getCmdLineOpts: () => ({ argv: [], parsed: {}, ok: 1 }),
  getLog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
  whatsmyuri: (_command, context) => ({ you: context.remoteAddress, ok: 1 }),
  commitTransaction: transactionsUnsupported,
  abortTransaction: transactionsUnsupported,
};
