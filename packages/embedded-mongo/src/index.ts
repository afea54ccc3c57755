export { EmbeddedMongoServer, type EmbeddedMongoOptions } from './embedded-mongo-server.js';
export { DataDirectoryLockedError } from './journal.js';
