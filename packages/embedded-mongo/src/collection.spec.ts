import { ObjectId } from 'bson';
import { Collection } from './collection.js';

function filled(count: number): Collection {
  const collection = new Collection('db', 'people');
  collection.applyCreateIndex({ name: 'email_1', key: { email: 1 }, unique: true });
  collection.applyCreateIndex({ name: 'org_team', key: { org: 1, team: 1 } });
  collection.applyCreateIndex({ name: 'tags_1', key: { tags: 1 } });
  for (let i = 0; i < count; i++) {
    collection.applyPut({
      _id: i,
      email: `user${i}@example.com`,
      org: `o${i % 10}`,
      team: `t${i % 7}`,
      tags: [`tag${i % 100}`, 'everyone'],
    });
  }
  return collection;
}

const sizeOf = (docs: Iterable<unknown>): number => [...docs].length;

describe('Collection.candidates (query planning)', () => {
  const collection = filled(10_000);

  it('finds an _id equality through the _id index, not by scanning', () => {
    expect(sizeOf(collection.candidates({ _id: 1234 }))).toBe(1);
    expect(sizeOf(collection.candidates({ _id: { $eq: 42 }, email: { $exists: true } }))).toBe(1);
    expect(sizeOf(collection.candidates({ _id: { $in: [1, 2, 3] } }))).toBe(3);
  });

  it('uses a single-field index for equality and for array elements (multikey)', () => {
    expect(sizeOf(collection.candidates({ email: 'user77@example.com' }))).toBe(1);
    expect(sizeOf(collection.candidates({ tags: 'tag5' }))).toBe(100);
    expect(sizeOf(collection.candidates({ email: 'nobody@example.com' }))).toBe(0);
  });

  it('uses a compound index only when every field has an equality', () => {
    expect(sizeOf(collection.candidates({ org: 'o3', team: 't3' }))).toBeLessThan(200);
    expect(sizeOf(collection.candidates({ org: 'o3' }))).toBe(10_000);
  });

  it('falls back to all documents for ranges, regexes and unindexed fields', () => {
    expect(sizeOf(collection.candidates({ email: { $gt: 'user5' } }))).toBe(10_000);
    expect(sizeOf(collection.candidates({ email: /user1/ }))).toBe(10_000);
    expect(sizeOf(collection.candidates({ name: 'x' }))).toBe(10_000);
  });

  it('keeps indexes in step with replacements and deletes', () => {
    const small = filled(3);
    small.applyPut({ _id: 1, email: 'changed@example.com', org: 'o1', team: 't1', tags: [] });
    expect(sizeOf(small.candidates({ email: 'user1@example.com' }))).toBe(0);
    expect(sizeOf(small.candidates({ email: 'changed@example.com' }))).toBe(1);
    small.applyDelete('n1');
    expect(sizeOf(small.candidates({ email: 'changed@example.com' }))).toBe(0);
    expect(small.documents.size).toBe(2);
  });

  it('treats numbers of equal value as the same key and other types as different', () => {
    const mixed = new Collection('db', 'mixed');
    mixed.applyCreateIndex({ name: 'v_1', key: { v: 1 }, unique: true });
    mixed.applyPut({ _id: new ObjectId(), v: 1 });
    expect(mixed.checkWrite.bind(mixed, { _id: 'a', v: 1.0 })).toThrow(/E11000/);
    expect(() => mixed.checkWrite({ _id: 'b', v: '1' })).not.toThrow();
    expect(() => mixed.checkWrite({ _id: 'c', v: true })).not.toThrow();
  });
});
