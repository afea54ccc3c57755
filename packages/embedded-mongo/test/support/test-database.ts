import { randomBytes } from 'node:crypto';
import { EmbeddedMongoServer, type EmbeddedMongoOptions } from '../../src/index.js';

/**
 * The database a suite talks to: a fresh in-memory engine, or, when TEST_DB_URI is set, a
 * uniquely named database on that real MongoDB, so that the conformance suites check fidelity.
 */
export interface TestDatabase {
  /** A connection string for a database private to this test database. */
  uri: string;
  stop(): Promise<void>;
}

const REAL_MONGODB_URI = process.env.TEST_DB_URI;
/** True when the suites run against a real MongoDB instead of the engine. */
export const AGAINST_REAL_MONGODB = REAL_MONGODB_URI !== undefined && REAL_MONGODB_URI !== '';

export async function startTestDatabase(options: EmbeddedMongoOptions = {}): Promise<TestDatabase> {
  const database = `test_${randomBytes(6).toString('hex')}`;
  if (AGAINST_REAL_MONGODB && REAL_MONGODB_URI) {
    const url = new URL(REAL_MONGODB_URI);
    url.pathname = `/${database}`;
    return { uri: url.toString(), stop: () => Promise.resolve() };
  }
  const embedded = await EmbeddedMongoServer.start({ dataDir: null, ...options });
  return { uri: embedded.uri(database), stop: () => embedded.stop() };
}
