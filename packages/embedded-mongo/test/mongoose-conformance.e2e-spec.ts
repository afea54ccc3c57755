import mongoose, { type Connection, type Model, Schema, Types } from 'mongoose';
import { startTestDatabase, type TestDatabase } from './support/test-database.js';

interface Person {
  name: string;
  usernameKey: string;
  age?: number;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
}

interface Visit {
  person: Types.ObjectId;
  code: string;
  date: Date;
}

/** The engine through Mongoose: schemas, indexes, validation, populate, as the app uses them. */
describe('MongoDB conformance through Mongoose', () => {
  let database: TestDatabase;
  let connection: Connection;
  let People: Model<Person>;
  let Visits: Model<Visit>;

  beforeAll(async () => {
    database = await startTestDatabase();
    connection = await mongoose
      .createConnection(database.uri, {
        bufferCommands: false,
        autoIndex: true,
        serverSelectionTimeoutMS: 5_000,
      })
      .asPromise();
    const personSchema = new Schema<Person>(
      {
        name: { type: String, required: true, trim: true, maxlength: 100 },
        usernameKey: { type: String, required: true, unique: true },
        age: { type: Number, min: 0 },
        tags: { type: [String], default: [] },
      },
      { timestamps: true },
    );
    const visitSchema = new Schema<Visit>({
      person: { type: Schema.Types.ObjectId, ref: 'Person', required: true },
      code: { type: String, required: true },
      date: { type: Date, default: () => new Date() },
    });
    visitSchema.index({ person: 1, date: -1 });
    People = connection.model<Person>('Person', personSchema);
    Visits = connection.model<Visit>('Visit', visitSchema);
    await People.init();
    await Visits.init();
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await database.stop();
  });

  beforeEach(async () => {
    await People.deleteMany({});
    await Visits.deleteMany({});
  });

  it('creates the schema indexes', async () => {
    const indexes = await People.listIndexes();
    expect(indexes.map((index: { name: string }) => index.name).sort()).toEqual([
      '_id_',
      'usernameKey_1',
    ]);
    const visitIndexes = await Visits.listIndexes();
    expect(visitIndexes.map((index: { key: Record<string, number> }) => index.key)).toContainEqual({
      person: 1,
      date: -1,
    });
  });

  it('creates, reads, updates and deletes documents with timestamps', async () => {
    const created = await People.create({ name: '  Ada  ', usernameKey: 'ada', age: 36 });
    expect(created.name).toBe('Ada');
    expect(created.createdAt).toBeInstanceOf(Date);
    const found = await People.findById(created._id).lean();
    expect(found).toMatchObject({ name: 'Ada', usernameKey: 'ada', age: 36, tags: [] });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await People.findByIdAndUpdate(
      created._id,
      { $push: { tags: 'math' } },
      { new: true },
    );
    expect(updated?.tags).toEqual(['math']);
    expect(updated!.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
    expect(await People.countDocuments({ tags: 'math' })).toBe(1);
    await People.deleteOne({ _id: created._id });
    expect(await People.findById(created._id)).toBeNull();
  });

  it('reports a duplicate key as a MongoServerError with code 11000 and keyValue', async () => {
    await People.create({ name: 'A', usernameKey: 'alice' });
    const error = (await People.create({ name: 'B', usernameKey: 'alice' }).catch(
      (failure: unknown) => failure,
    )) as {
      code?: number;
      keyValue?: unknown;
    };
    expect(error.code).toBe(11000);
    expect(error.keyValue).toEqual({ usernameKey: 'alice' });
  });

  it('lets exactly one of 20 concurrent creations of the same key succeed', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => People.create({ name: `p${i}`, usernameKey: 'race' })),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(await People.countDocuments({ usernameKey: 'race' })).toBe(1);
  });

  it('validates before writing', async () => {
    await expect(People.create({ name: 'x', usernameKey: 'neg', age: -1 })).rejects.toThrow(/age/);
    expect(await People.countDocuments()).toBe(0);
  });

  it('upserts with findOneAndUpdate', async () => {
    const doc = await People.findOneAndUpdate(
      { usernameKey: 'up' },
      { $set: { name: 'Upserted' }, $setOnInsert: { age: 1 } },
      { upsert: true, new: true },
    );
    expect(doc).toMatchObject({ usernameKey: 'up', name: 'Upserted', age: 1 });
    expect(await People.countDocuments()).toBe(1);
  });

  it('paginates newest first and populates references', async () => {
    const person = await People.create({ name: 'Pat', usernameKey: 'pat' });
    const base = Date.UTC(2026, 0, 1);
    await Visits.insertMany(
      Array.from({ length: 25 }, (_, i) => ({
        person: person._id,
        code: `m${i}`,
        date: new Date(base + i * 60_000),
      })),
    );
    const page = await Visits.find({ person: person._id })
      .sort({ date: -1 })
      .skip(10)
      .limit(10)
      .populate('person')
      .lean();
    expect(page.map((visit) => visit.code)).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${14 - i}`),
    );
    expect((page[0].person as unknown as Person).name).toBe('Pat');
    expect(await Visits.countDocuments({ person: person._id })).toBe(25);
  });

  it('aggregates through a model', async () => {
    await People.insertMany([
      { name: 'a', usernameKey: 'a', age: 20, tags: ['x'] },
      { name: 'b', usernameKey: 'b', age: 30, tags: ['x', 'y'] },
      { name: 'c', usernameKey: 'c', age: 40, tags: ['y'] },
    ]);
    const result = await People.aggregate<{ _id: string; avgAge: number }>([
      { $unwind: '$tags' },
      { $group: { _id: '$tags', avgAge: { $avg: '$age' } } },
      { $sort: { _id: 1 } },
    ]);
    expect(result).toEqual([
      { _id: 'x', avgAge: 25 },
      { _id: 'y', avgAge: 35 },
    ]);
  });
});
