/** MongoDB server error codes the engine answers with (same numbers and names as mongod). */
export const ErrorCode = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  AuthenticationFailed: 18,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  NotImplemented: 238,
  BSONObjectTooLarge: 10334,
  DuplicateKey: 11000,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

/** A command failure, answered to the client as `{ok: 0, errmsg, code, codeName}`. */
export class MongoCommandError extends Error {
  readonly code: number;

  constructor(
    readonly codeName: ErrorCodeName,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'MongoCommandError';
    this.code = ErrorCode[codeName];
  }

  toReply(): Record<string, unknown> {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

/** Wraps anything thrown by query/update evaluation (e.g. mingo's "unknown operator"). */
export function asCommandError(
  error: unknown,
  fallback: ErrorCodeName = 'BadValue',
): MongoCommandError {
  if (error instanceof MongoCommandError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new MongoCommandError(fallback, message);
}

/** Transactions need a replica set; the engine is a standalone server, like a single mongod. */
export const TRANSACTIONS_UNSUPPORTED =
  'Transactions are not supported by the embedded database (a standalone server); use a MongoDB replica set';
