import mongoose from 'mongoose';

/** Driver errors that mean "the database cannot be reached right now", not "the request is wrong". */
const UNAVAILABLE_ERROR_NAMES = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/** Mongoose's own errors when a command is issued while no connection is open. */
const UNAVAILABLE_MONGOOSE_MESSAGES =
  /before initial connection is complete|Connection was force closed|Client must be connected|connection .* closed/i;

/**
 * Socket errors the driver sometimes lets through unwrapped (e.g. EPIPE "This socket has been
 * ended by the other party" when the server went away between two commands). The database is
 * the only peer request handlers talk to over the network.
 */
const NETWORK_ERROR_CODES = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTCONN',
]);

interface ErrorLike {
  name: string;
  message: string;
  code?: unknown;
  cause?: unknown;
}

/** Duck-typed: errors from Node's own modules may come from another realm (e.g. under Jest's VM). */
function isErrorLike(value: unknown): value is ErrorLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorLike).name === 'string' &&
    typeof (value as ErrorLike).message === 'string'
  );
}

export function isDatabaseUnavailableError(error: unknown): boolean {
  if (!isErrorLike(error)) return false;
  if (UNAVAILABLE_ERROR_NAMES.has(error.name)) return true;
  if (typeof error.code === 'string' && NETWORK_ERROR_CODES.has(error.code)) return true;
  if (error.name === 'MongooseError' && UNAVAILABLE_MONGOOSE_MESSAGES.test(error.message)) {
    return true;
  }
  return (
    error.cause !== undefined && error.cause !== error && isDatabaseUnavailableError(error.cause)
  );
}

/** Mongoose's errors about the data it was given: a value of the wrong type or missing. */
const INVALID_DATA_MONGOOSE_ERRORS = new Set([
  'ValidationError',
  'ValidatorError',
  'CastError',
  'StrictModeError',
]);

/** MongoDB's error code for a document over the 16 MB BSON limit. */
const BSON_OBJECT_TOO_LARGE = 10334;
const DRIVER_TOO_LARGE_MESSAGES =
  /larger than the maximum size|exceeds the max bson object size|exceeds maximum BSON size/i;

/**
 * Errors that the data in a request caused, not the server: a value Mongoose cannot cast or
 * validate, an id that is not one (BSONError), a document too large to store. Each is a 400,
 * meaning a DTO let something through that it should have refused.
 */
export function isInvalidDataError(error: unknown): boolean {
  if (!isErrorLike(error)) return false;
  if (error instanceof mongoose.Error && INVALID_DATA_MONGOOSE_ERRORS.has(error.name)) return true;
  if (error.name === 'BSONError') return true;
  if (error.code === BSON_OBJECT_TOO_LARGE) return true;
  return (
    error.name === 'MongoInvalidArgumentError' && DRIVER_TOO_LARGE_MESSAGES.test(error.message)
  );
}

/**
 * An invalid-data error for the log, by kind and path only: Mongoose's own messages quote the
 * offending values, which may be anything the client sent (a password, a token).
 */
export function describeInvalidDataError(error: unknown): string {
  if (error instanceof mongoose.Error.ValidationError) {
    const paths = Object.entries(error.errors).map(
      ([path, problem]) => `${path} (${problem.kind})`,
    );
    return `${error.name} at ${paths.join(', ')}`;
  }
  if (error instanceof mongoose.Error.CastError) {
    return `${error.name} to ${error.kind} at ${error.path}`;
  }
  if (error instanceof mongoose.Error.StrictModeError) {
    return `${error.name} at ${error.path}`;
  }
  return isErrorLike(error) ? error.name : 'unknown error';
}

/** MongoDB's error code for a write that would duplicate a unique index key. */
const DUPLICATE_KEY = 11000;

/** A write refused by a unique index (a taken username, a colliding meeting code). */
export function isDuplicateKeyError(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === DUPLICATE_KEY;
}

/** The URI without credentials or query options, safe to log. */
export function redactDatabaseUri(uri: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/)(?:[^@/]*@)?([^/?]*)(\/[^?]*)?/.exec(uri);
  if (!match) return 'mongodb://<unparseable uri>';
  const [, scheme, hosts, path = ''] = match;
  return `${scheme}${hosts}${path}`;
}
