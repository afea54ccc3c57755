/**
 * bench/embedded-db: does an indexed lookup stay flat as the collection grows?
 * `findOne` by a uniquely indexed field through the official driver, on a collection of
 * 1,000 and one of 100,000 documents, interleaved in rounds in one run; prints the time
 * ratio (target: at most 1.5) and insert throughput. Loopback only, bounded loops.
 */
import { performance } from 'node:perf_hooks';
import { MongoClient, type Collection } from 'mongodb';
import { EmbeddedMongoServer } from '../src/index.js';

const SMALL = 1_000;
const LARGE = 100_000;
const ROUNDS = 5;
const LOOKUPS_PER_ROUND = 2_000;
const SINGLE_INSERTS = 5_000;

interface Person {
  email: string;
  name: string;
  n: number;
}

async function fill(collection: Collection<Person>, count: number): Promise<number> {
  await collection.createIndex({ email: 1 }, { unique: true });
  const started = performance.now();
  for (let offset = 0; offset < count; offset += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, count - offset) }, (_, i) => ({
      email: `user${offset + i}@example.com`,
      name: `User ${offset + i}`,
      n: offset + i,
    }));
    await collection.insertMany(batch, { ordered: false });
  }
  return count / ((performance.now() - started) / 1000);
}

async function lookups(
  collection: Collection<Person>,
  size: number,
  count: number,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const n = Math.floor(Math.random() * size);
    const doc = await collection.findOne({ email: `user${n}@example.com` });
    if (doc?.n !== n) throw new Error(`lookup of user${n} failed`);
  }
  return performance.now() - started;
}

async function main(): Promise<void> {
  const server = await EmbeddedMongoServer.start({ dataDir: null });
  const client = await MongoClient.connect(server.uri('bench'), { maxPoolSize: 1 });
  try {
    const db = client.db();
    const small = db.collection<Person>('small');
    const large = db.collection<Person>('large');
    await fill(small, SMALL);
    const bulkRate = await fill(large, LARGE);

    const singles = db.collection<Person>('singles');
    const insertStarted = performance.now();
    for (let i = 0; i < SINGLE_INSERTS; i++)
      await singles.insertOne({ email: `s${i}`, name: 's', n: i });
    const singleRate = SINGLE_INSERTS / ((performance.now() - insertStarted) / 1000);

    await lookups(small, SMALL, 500); // warm-up
    await lookups(large, LARGE, 500);
    let smallMs = 0;
    let largeMs = 0;
    for (let round = 0; round < ROUNDS; round++) {
      smallMs += await lookups(small, SMALL, LOOKUPS_PER_ROUND);
      largeMs += await lookups(large, LARGE, LOOKUPS_PER_ROUND);
    }
    const total = ROUNDS * LOOKUPS_PER_ROUND;
    const ratio = largeMs / smallMs;
    console.log(
      'embedded-db benchmark (findOne by unique index through the driver, one connection)',
    );
    console.log(
      `  ${SMALL.toLocaleString('en')} docs:   ${(total / (smallMs / 1000)).toFixed(0)} lookups/s`,
    );
    console.log(
      `  ${LARGE.toLocaleString('en')} docs: ${(total / (largeMs / 1000)).toFixed(0)} lookups/s`,
    );
    console.log(
      `  ratio 100k/1k time: ${ratio.toFixed(2)}x (target <= 1.5x) ${ratio <= 1.5 ? 'OK' : 'ABOVE TARGET'}`,
    );
    console.log(
      `  inserts: ${bulkRate.toFixed(0)} docs/s with insertMany(1,000), ${singleRate.toFixed(0)} docs/s with insertOne`,
    );
    process.exitCode = ratio <= 1.5 ? 0 : 1;
  } finally {
    await client.close();
    await server.stop();
  }
}

await main();
