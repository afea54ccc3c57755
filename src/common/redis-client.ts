import { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { ThrottledLog } from './throttled-log.js';

/**
 * An ioredis client that never brings the process down: connection errors are logged
 * (throttled; ioredis keeps reconnecting by itself) instead of being emitted as an unhandled
 * `error` event, and the first successful connection after an outage is logged once.
 */
export function createRedisClient(url: string, role: string, options: RedisOptions = {}): Redis {
  const logger = new Logger('Redis');
  const errors = new ThrottledLog(logger);
  const client = new Redis(url, options);
  let failing = false;
  client.on('error', (error: Error) => {
    failing = true;
    errors.warn(`${role}: ${error.message}`);
  });
  client.on('ready', () => {
    if (!failing) return;
    failing = false;
    logger.log(`${role}: connection restored`);
  });
  return client;
}

/** Resolves once the client is ready, or after `timeoutMs` (it keeps trying in the background). */
export async function waitUntilReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return true;
  let timer: NodeJS.Timeout | undefined;
  let onReady: (() => void) | undefined;
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => client.once('ready', (onReady = () => resolve(true)))),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (onReady) client.off('ready', onReady);
  return ready;
}

/** Network failures of a Redis connection (ioredis' and the socket's own). */
const REDIS_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
]);

/**
 * Whether an error means Redis cannot be reached right now (as opposed to a bad command): a
 * command given up after the reconnection attempts, a closed connection, a client that queues
 * nothing while offline, a command Redis did not answer in time, a network failure.
 */
export function isRedisUnavailableError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message, code } = error as { name?: unknown; message?: unknown; code?: unknown };
  if (name === 'MaxRetriesPerRequestError') return true;
  if (typeof code === 'string' && REDIS_NETWORK_CODES.has(code)) return true;
  return (
    typeof message === 'string' &&
    (message === 'Connection is closed.' ||
      message.includes('enableOfflineQueue options is false') ||
      // A client's commandTimeout: Redis hangs (paused, stopped, a partition).
      message === 'Command timed out')
  );
}
