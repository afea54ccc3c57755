export { EmbeddedMongoServer, type EmbeddedMongoOptions } from './embedded-mongo-server.js';
export { DataDirectoryLockedError, JournalCorruptedError } from './journal.js';
