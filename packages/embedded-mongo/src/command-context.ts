import type { CursorRegistry } from './cursors.js';
import { type Doc, isPlainObject } from './documents.js';
import { MongoCommandError } from './errors.js';
import type { StorageEngine } from './storage-engine.js';

export interface ServerInfo {
  /** When the server started (ms since epoch), for serverStatus uptime. */
  startedAt: number;
  host: string;
  port: number;
}

/** What a command handler may use: the data, the cursors, and who is asking. */
export interface CommandContext {
  engine: StorageEngine;
  cursors: CursorRegistry;
  server: ServerInfo;
  database: string;
  connectionId: number;
  remoteAddress: string;
}

export type CommandHandler = (command: Doc, context: CommandContext) => Doc;

/** The command's target collection name (the value of its first field). */
export function collectionNameOf(command: Doc, commandName: string): string {
  const name = command[commandName];
  if (typeof name !== 'string' || name === '') {
    throw new MongoCommandError(
      'InvalidNamespace',
      `collection name for '${commandName}' must be a non-empty string`,
    );
  }
  return name;
}

export function optionalDocument(command: Doc, field: string): Doc | undefined {
  const value = command[field];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw new MongoCommandError('TypeMismatch', `'${field}' must be an object`);
  }
  return value;
}

export function optionalNumber(command: Doc, field: string): number | undefined {
  const value = command[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MongoCommandError('TypeMismatch', `'${field}' must be a number`);
  }
  return value;
}

export function requiredArray(command: Doc, field: string): unknown[] {
  const value = command[field];
  if (!Array.isArray(value))
    throw new MongoCommandError('TypeMismatch', `'${field}' must be an array`);
  return value;
}
