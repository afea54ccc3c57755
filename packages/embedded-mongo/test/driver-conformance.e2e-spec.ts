import { MongoClient, MongoServerError, type Collection, type Db, type Document } from 'mongodb';
import {
  AGAINST_REAL_MONGODB,
  startTestDatabase,
  type TestDatabase,
} from './support/test-database.js';

/**
 * Conformance of the embedded engine, driven only through the official driver. The same
 * suite runs against a real MongoDB when TEST_DB_URI is set.
 */
describe('MongoDB conformance through the official driver', () => {
  let database: TestDatabase;
  let client: MongoClient;
  let db: Db;
  let counter = 0;

  beforeAll(async () => {
    database = await startTestDatabase({ ttlSweepIntervalMs: 200 });
    client = await MongoClient.connect(database.uri, { serverSelectionTimeoutMS: 5_000 });
    db = client.db();
  });
  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
    await database.stop();
  });

  /** A new, empty collection for each test. */
  function freshCollection<T extends Document = Document>(): Collection<T> {
    counter += 1;
    return db.collection<T>(`c${counter}`);
  }

  async function expectServerError(
    promise: Promise<unknown>,
    code: number,
  ): Promise<MongoServerError> {
    const error: unknown = await promise.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(code);
    return error as MongoServerError;
  }

  describe('handshake and commands', () => {
    it('answers ping, hello and buildInfo as a writable standalone', async () => {
      expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
      const hello = await db.admin().command({ hello: 1 });
      expect(hello).toMatchObject({ isWritablePrimary: true, ok: 1 });
      expect(hello.maxBsonObjectSize).toBe(16 * 1024 * 1024);
      expect(typeof hello.maxWireVersion).toBe('number');
      expect(typeof hello.connectionId).toBe('number');
      expect(hello.setName).toBeUndefined();
      const info = await db.admin().command({ buildInfo: 1 });
      expect(info.version).toMatch(/^\d+\.\d+/);
    });

    it("keeps the driver's server monitoring healthy (no failed heartbeats, no stalls)", async () => {
      const monitored = await MongoClient.connect(database.uri, { heartbeatFrequencyMS: 500 });
      const failures: string[] = [];
      monitored.on('serverHeartbeatFailed', (event) => failures.push(event.failure.message));
      monitored.on('connectionPoolCleared', () => failures.push('pool cleared'));
      try {
        const things = monitored.db().collection('heartbeat');
        await things.insertOne({ k: 1 });
        let slowest = 0;
        const until = Date.now() + 2_500;
        while (Date.now() < until) {
          const started = performance.now();
          await things.findOne({ k: 1 });
          slowest = Math.max(slowest, performance.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(failures).toEqual([]);
        expect(slowest).toBeLessThan(250);
      } finally {
        await monitored.close();
      }
    });

    it('answers an unknown command with "no such command" (code 59)', async () => {
      const error = await expectServerError(db.command({ frobnicate: 1 }), 59);
      expect(error.codeName).toBe('CommandNotFound');
    });
  });

  describe('CRUD and update operators', () => {
    it('inserts, finds, replaces and deletes documents', async () => {
      const things = freshCollection();
      const { insertedId } = await things.insertOne({ name: 'a', n: 1 });
      await things.insertMany([
        { name: 'b', n: 2 },
        { name: 'c', n: 3 },
      ]);
      expect(await things.findOne({ _id: insertedId })).toEqual({
        _id: insertedId,
        name: 'a',
        n: 1,
      });
      expect(await things.countDocuments()).toBe(3);
      await things.replaceOne({ name: 'b' }, { name: 'B', n: 20 });
      expect(await things.findOne({ name: 'B' }, { projection: { _id: 0 } })).toEqual({
        name: 'B',
        n: 20,
      });
      expect((await things.deleteOne({ name: 'c' })).deletedCount).toBe(1);
      expect((await things.deleteMany({})).deletedCount).toBe(2);
      expect(await things.findOne({})).toBeNull();
    });

    it('applies update operators', async () => {
      const things = freshCollection<{
        n: number;
        gone?: boolean;
        tags: string[];
        nested: { deep: number };
        scores: { v: number }[];
        extra?: string[];
        high?: number;
        added?: string;
        renamed?: string;
      }>();
      const { insertedId: _id } = await things.insertOne({
        n: 1,
        gone: true,
        tags: ['a', 'b'],
        nested: { deep: 1 },
        scores: [{ v: 1 }, { v: 5 }],
      });
      await things.updateOne(
        { _id },
        {
          $set: { 'nested.deep': 2, added: 'x' },
          $unset: { gone: '' },
          $inc: { n: 4 },
          $push: { tags: 'c' },
          $addToSet: { extra: 'y' },
          $max: { high: 10 },
        },
      );
      await things.updateOne(
        { _id },
        { $pull: { tags: 'a' }, $mul: { n: 2 }, $rename: { added: 'renamed' } },
      );
      await things.updateOne(
        { _id },
        { $set: { 'scores.$[big].v': 50 } },
        { arrayFilters: [{ 'big.v': { $gt: 2 } }] },
      );
      expect(await things.findOne({ _id })).toEqual({
        _id,
        n: 10,
        tags: ['b', 'c'],
        nested: { deep: 2 },
        scores: [{ v: 1 }, { v: 50 }],
        extra: ['y'],
        high: 10,
        renamed: 'x',
      });
    });

    it('updates many, reports matched and modified counts, and upserts', async () => {
      const things = freshCollection();
      await things.insertMany([
        { k: 1, s: 'x' },
        { k: 2, s: 'x' },
        { k: 3, s: 'y' },
      ]);
      const many = await things.updateMany({ s: 'x' }, { $set: { s: 'z' } });
      expect(many).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
      const unchanged = await things.updateOne({ k: 3 }, { $set: { s: 'y' } });
      expect(unchanged).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
      const upsert = await things.updateOne(
        { k: 4 },
        { $set: { s: 'new' }, $setOnInsert: { created: true } },
        { upsert: true },
      );
      expect(upsert.upsertedCount).toBe(1);
      expect(await things.findOne({ k: 4 }, { projection: { _id: 0 } })).toEqual({
        k: 4,
        s: 'new',
        created: true,
      });
      await things.updateOne(
        { k: 4 },
        { $set: { s: 'again' }, $setOnInsert: { created: false } },
        { upsert: true },
      );
      expect(await things.findOne({ k: 4 }, { projection: { _id: 0 } })).toEqual({
        k: 4,
        s: 'again',
        created: true,
      });
    });

    it('refuses to change _id', async () => {
      const things = freshCollection();
      const { insertedId } = await things.insertOne({ v: 1 });
      await expectServerError(
        things.updateOne({ _id: insertedId }, { $set: { _id: 'other' } }),
        66,
      );
      await expectServerError(things.replaceOne({ _id: insertedId }, { _id: 'other', v: 2 }), 66);
      await things.updateOne({ _id: insertedId }, { $set: { _id: insertedId, v: 3 } });
      expect(await things.findOne({ _id: insertedId })).toEqual({ _id: insertedId, v: 3 });
    });

    it('runs findOneAndUpdate with upsert and returnDocument before/after', async () => {
      const counters = freshCollection<{ _id: string; seq: number }>();
      const first = await counters.findOneAndUpdate(
        { _id: 'meetings' },
        { $inc: { seq: 1 } },
        { upsert: true, returnDocument: 'after' },
      );
      expect(first).toEqual({ _id: 'meetings', seq: 1 });
      const before = await counters.findOneAndUpdate(
        { _id: 'meetings' },
        { $inc: { seq: 1 } },
        { returnDocument: 'before' },
      );
      expect(before).toEqual({ _id: 'meetings', seq: 1 });
      const removed = await counters.findOneAndDelete({ _id: 'meetings' });
      expect(removed).toEqual({ _id: 'meetings', seq: 2 });
      expect(await counters.findOneAndUpdate({ _id: 'none' }, { $set: { seq: 0 } })).toBeNull();
    });

    it('answers count and distinct', async () => {
      const things = freshCollection();
      await things.insertMany([{ c: 'red', t: ['a'] }, { c: 'red', t: ['b', 'a'] }, { c: 'blue' }]);
      expect(await things.countDocuments({ c: 'red' })).toBe(2);
      expect(await things.estimatedDocumentCount()).toBe(3);
      expect((await things.distinct('c')).sort()).toEqual(['blue', 'red']);
      expect((await things.distinct('t', { c: 'red' })).sort()).toEqual(['a', 'b']);
    });
  });

  describe('queries and cursors', () => {
    it('pages a cursor past the first batch (1,000 documents, batchSize 101)', async () => {
      const things = freshCollection<{ i: number }>();
      await things.insertMany(Array.from({ length: 1000 }, (_, i) => ({ i })));
      const cursor = things.find({}, { batchSize: 101 }).sort({ i: 1 });
      const seen: number[] = [];
      for await (const doc of cursor) seen.push(doc.i);
      expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    });

    it('closes a cursor early (killCursors) and keeps serving', async () => {
      const things = freshCollection<{ i: number }>();
      await things.insertMany(Array.from({ length: 300 }, (_, i) => ({ i })));
      const cursor = things.find({}, { batchSize: 10 });
      expect((await cursor.next())?.i).toBe(0);
      await cursor.close();
      expect(await things.countDocuments()).toBe(300);
    });

    it('sorts, skips, limits and projects', async () => {
      const people = freshCollection<{ name: string; age: number; city: string }>();
      await people.insertMany([
        { name: 'ann', age: 31, city: 'Oslo' },
        { name: 'bob', age: 25, city: 'Rome' },
        { name: 'cid', age: 40, city: 'Oslo' },
        { name: 'dan', age: 25, city: 'Oslo' },
      ]);
      const page = await people
        .find({ age: { $gte: 25 } }, { projection: { _id: 0, name: 1, age: 1 } })
        .sort({ age: -1, name: 1 })
        .skip(1)
        .limit(2)
        .toArray();
      expect(page).toEqual([
        { name: 'ann', age: 31 },
        { name: 'bob', age: 25 },
      ]);
      const withoutCity = await people
        .find({ city: 'Oslo', name: { $in: ['ann', 'dan'] } }, { projection: { city: 0, _id: 0 } })
        .sort({ name: 1 })
        .toArray();
      expect(withoutCity).toEqual([
        { name: 'ann', age: 31 },
        { name: 'dan', age: 25 },
      ]);
      expect(await people.countDocuments({ name: /^[ab]/ })).toBe(2);
      expect(await people.countDocuments({ $or: [{ age: 40 }, { city: 'Rome' }] })).toBe(2);
    });

    it('aggregates with $match, $group, $sort, $limit and $project', async () => {
      const sales = freshCollection();
      await sales.insertMany([
        { item: 'a', qty: 2, price: 10 },
        { item: 'b', qty: 1, price: 20 },
        { item: 'a', qty: 3, price: 10 },
        { item: 'c', qty: 5, price: 1 },
      ]);
      const totals = await sales
        .aggregate([
          { $match: { qty: { $gte: 1 } } },
          {
            $group: {
              _id: '$item',
              revenue: { $sum: { $multiply: ['$qty', '$price'] } },
              count: { $sum: 1 },
            },
          },
          { $sort: { revenue: -1 } },
          { $limit: 2 },
          { $project: { _id: 0, item: '$_id', revenue: 1, count: 1 } },
        ])
        .toArray();
      expect(totals).toEqual([
        { item: 'a', revenue: 50, count: 2 },
        { item: 'b', revenue: 20, count: 1 },
      ]);
    });
  });

  describe('indexes', () => {
    it('rejects a duplicate on a unique index with code 11000, keyPattern and keyValue', async () => {
      const users = freshCollection();
      await users.createIndex({ username: 1 }, { unique: true });
      await users.insertOne({ username: 'alice' });
      const error = await expectServerError(users.insertOne({ username: 'alice' }), 11000);
      expect(error.message).toMatch(/^E11000 duplicate key error/);
      expect(error.keyPattern).toEqual({ username: 1 });
      expect(error.keyValue).toEqual({ username: 'alice' });
      await users.insertOne({ username: 'bob' });
      await expectServerError(
        users.updateOne({ username: 'bob' }, { $set: { username: 'alice' } }),
        11000,
      );
      expect(await users.countDocuments()).toBe(2);
    });

    it('lets exactly one of 20 concurrent inserts of the same key succeed', async () => {
      const users = freshCollection();
      await users.createIndex({ key: 1 }, { unique: true });
      const clients = await Promise.all(
        Array.from({ length: 4 }, () => MongoClient.connect(database.uri, { maxPoolSize: 5 })),
      );
      try {
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            clients[i % clients.length]
              .db()
              .collection(users.collectionName)
              .insertOne({ key: 'same', i }),
          ),
        );
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        const failures = results.filter((result) => result.status === 'rejected');
        expect(failures).toHaveLength(19);
        for (const failure of failures)
          expect((failure.reason as MongoServerError).code).toBe(11000);
        expect(await users.countDocuments({ key: 'same' })).toBe(1);
      } finally {
        await Promise.all(clients.map((other) => other.close()));
      }
    });

    it('enforces compound unique indexes on the combination only', async () => {
      const history = freshCollection();
      await history.createIndex({ userId: 1, code: 1 }, { unique: true, name: 'user_code' });
      await history.insertMany([
        { userId: 1, code: 'x' },
        { userId: 2, code: 'x' },
        { userId: 1, code: 'y' },
      ]);
      const error = await expectServerError(history.insertOne({ userId: 1, code: 'x' }), 11000);
      expect(error.keyPattern).toEqual({ userId: 1, code: 1 });
      expect(error.keyValue).toEqual({ userId: 1, code: 'x' });
    });

    it('applies a unique partial index only to matching documents, and sparse indexes skip missing fields', async () => {
      const accounts = freshCollection();
      await accounts.createIndex(
        { email: 1 },
        { unique: true, partialFilterExpression: { active: true } },
      );
      await accounts.insertMany([
        { email: 'a@x', active: false },
        { email: 'a@x', active: false },
        { email: 'a@x', active: true },
      ]);
      await expectServerError(accounts.insertOne({ email: 'a@x', active: true }), 11000);
      const sparse = freshCollection();
      await sparse.createIndex({ nick: 1 }, { unique: true, sparse: true });
      await sparse.insertMany([{ a: 1 }, { a: 2 }, { nick: 'n' }]);
      await expectServerError(sparse.insertOne({ nick: 'n' }), 11000);
    });

    it('refuses to build a unique index over existing duplicates', async () => {
      const things = freshCollection();
      await things.insertMany([{ v: 1 }, { v: 1 }]);
      await expectServerError(things.createIndex({ v: 1 }, { unique: true }), 11000);
      expect(
        (await things.listIndexes().toArray()).map((index: { name?: unknown }) =>
          String(index.name),
        ),
      ).toEqual(['_id_']);
    });

    it('lists and drops indexes', async () => {
      const things = freshCollection();
      await things.createIndex({ a: 1 });
      await things.createIndex({ b: -1, c: 1 }, { name: 'bc' });
      await things.createIndex({ a: 1 }); // the same again is a no-op
      const names = (await things.listIndexes().toArray())
        .map((index: { name?: unknown }) => String(index.name))
        .sort();
      expect(names).toEqual(['_id_', 'a_1', 'bc']);
      await things.dropIndex('bc');
      await expectServerError(things.dropIndex('bc'), 27);
      await things.dropIndexes();
      expect(
        (await things.listIndexes().toArray()).map((index: { name?: unknown }) =>
          String(index.name),
        ),
      ).toEqual(['_id_']);
    });

    it(
      'expires documents through a TTL index',
      async () => {
        const sessions = freshCollection();
        await sessions.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
        await sessions.insertMany([
          { name: 'expired', expiresAt: new Date(Date.now() - 1000) },
          { name: 'live', expiresAt: new Date(Date.now() + 3_600_000) },
          { name: 'no date' },
        ]);
        const deadline = Date.now() + (AGAINST_REAL_MONGODB ? 120_000 : 10_000);
        while ((await sessions.countDocuments({ name: 'expired' })) > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const left = (await sessions.find({}).toArray()).map((doc) => doc.name as string).sort();
        expect(left).toEqual(['live', 'no date']);
      },
      AGAINST_REAL_MONGODB ? 150_000 : 20_000,
    );
  });

  describe('collections and databases', () => {
    it('creates, lists and drops collections and databases', async () => {
      const other = client.db(`${db.databaseName}_other`);
      await other.createCollection('alpha');
      await expectServerError(other.createCollection('alpha'), 48);
      await other.collection('beta').insertOne({ x: 1 });
      const names = (await other.listCollections().toArray()).map((info) => info.name).sort();
      expect(names).toEqual(['alpha', 'beta']);
      expect(
        (await other.listCollections({ name: 'beta' }).toArray()).map((info) => info.name),
      ).toEqual(['beta']);
      const databases = await client.db().admin().listDatabases();
      expect(databases.databases.map((info) => info.name)).toContain(other.databaseName);
      expect(await other.collection('alpha').drop()).toBe(true);
      expect(await other.dropDatabase()).toBe(true);
      expect((await other.listCollections().toArray()).length).toBe(0);
    });
  });

  (AGAINST_REAL_MONGODB ? it.skip : it)(
    'says clearly that transactions are not supported',
    async () => {
      const session = client.startSession();
      try {
        const error: unknown = await session
          .withTransaction(async () => {
            await db.collection('tx').insertOne({ a: 1 }, { session });
          })
          .then(
            () => undefined,
            (failure: unknown) => failure,
          );
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/Transaction/);
      } finally {
        await session.endSession();
      }
    },
  );
});
