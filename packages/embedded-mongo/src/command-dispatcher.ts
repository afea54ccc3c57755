import { ADMIN_COMMANDS } from './admin-commands.js';
import type { CommandContext, CommandHandler } from './command-context.js';
import { CRUD_COMMANDS } from './crud-commands.js';
import type { Doc } from './documents.js';
import { MongoCommandError, TRANSACTIONS_UNSUPPORTED } from './errors.js';

const COMMANDS = new Map<string, CommandHandler>(
  Object.entries({ ...ADMIN_COMMANDS, ...CRUD_COMMANDS }),
);

const AUTHENTICATION_COMMANDS = new Set(['saslStart', 'saslContinue', 'authenticate', 'logout']);

/**
 * Runs one command and always returns a reply document: failures become
 * `{ok: 0, errmsg, code, codeName}`, never an exception.
 */
export function runCommand(
  body: Doc,
  context: Omit<CommandContext, 'database'>,
  legacyDatabase?: string,
  onInternalError?: (error: unknown) => void,
): Doc {
  try {
    const name = Object.keys(body)[0];
    if (name === undefined) throw new MongoCommandError('FailedToParse', 'empty command');
    const database = typeof body.$db === 'string' ? body.$db : (legacyDatabase ?? 'admin');
    if (body.startTransaction === true || body.autocommit !== undefined) {
      throw new MongoCommandError('NotImplemented', TRANSACTIONS_UNSUPPORTED);
    }
    if (AUTHENTICATION_COMMANDS.has(name)) {
      throw new MongoCommandError(
        'AuthenticationFailed',
        'Authentication is not supported by the embedded database; connect without credentials',
      );
    }
    const handler = COMMANDS.get(name);
    if (!handler) throw new MongoCommandError('CommandNotFound', `no such command: '${name}'`);
    return handler(body, { ...context, database });
  } catch (error) {
    if (error instanceof MongoCommandError) return error.toReply();
    onInternalError?.(error);
    return new MongoCommandError(
      'InternalError',
      `internal error: ${(error as Error).message}`,
    ).toReply();
  }
}
