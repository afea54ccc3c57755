import { randomBytes } from 'node:crypto';
import { EmbeddedMongoServer, type EmbeddedMongoOptions } from 'embedded-mongo';

/**
 * The database a test talks to: a fresh in-memory embedded server, or, when TEST_DB_URI is
 * set, a uniquely named database on that real MongoDB (so suites can check fidelity).
 */
export interface TestDatabase {
  /** A connection string for a database private to this test database. */
  uri: string;
  /** The embedded server, absent when running against TEST_DB_URI. */
  embedded?: EmbeddedMongoServer;
  stop(): Promise<void>;
}

export const REAL_MONGODB_URI = process.env.TEST_DB_URI;
/** True when the suites run against a real MongoDB instead of the embedded engine. */
export const AGAINST_REAL_MONGODB = REAL_MONGODB_URI !== undefined && REAL_MONGODB_URI !== '';

export function uniqueDatabaseName(prefix = 'test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

function withDatabaseName(uri: string, database: string): string {
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function startTestDatabase(options: EmbeddedMongoOptions = {}): Promise<TestDatabase> {
  const database = uniqueDatabaseName();
  if (AGAINST_REAL_MONGODB && REAL_MONGODB_URI) {
    return { uri: withDatabaseName(REAL_MONGODB_URI, database), stop: () => Promise.resolve() };
  }
  const embedded = await EmbeddedMongoServer.start({ dataDir: null, ...options });
  return { uri: embedded.uri(database), embedded, stop: () => embedded.stop() };
}
