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

export function isDatabaseUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_ERROR_NAMES.has(error.name)) return true;
  if (error.name === 'MongooseError' && UNAVAILABLE_MONGOOSE_MESSAGES.test(error.message)) {
    return true;
  }
  return (
    error.cause !== undefined && error.cause !== error && isDatabaseUnavailableError(error.cause)
  );
}

/** The URI without credentials or query options, safe to log. */
export function redactDatabaseUri(uri: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/)(?:[^@/]*@)?([^/?]*)(\/[^?]*)?/.exec(uri);
  if (!match) return 'mongodb://<unparseable uri>';
  const [, scheme, hosts, path = ''] = match;
  return `${scheme}${hosts}${path}`;
}
