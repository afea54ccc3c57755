import type { RateLimit } from '../rate-limits/rate-limit.js';
import {
  ConfigurationError,
  type Environment,
  parseByteSize,
  readBoolean,
  readDuration,
  readInteger,
  readRaw,
  readUrlList,
} from '../config/env-readers.js';
import { SIGNAL_MAX_BYTES } from './protocol/limits.js';

export interface TurnConfig {
  urls: string[];
  secret: string;
  /** Lifetime of the time-limited credentials, in seconds. */
  ttlSeconds: number;
}

/** The kinds of client events that have their own per-socket rate limit. */
export type SocketEventKind = 'joins' | 'signals' | 'chat' | 'state';

export interface SignalingConfig {
  allowGuests: boolean;
  maxParticipantsPerRoom: number;
  /** Largest Socket.IO message accepted, in bytes. */
  maxMessageBytes: number;
  chatRetentionSeconds: number;
  chatHistoryLimit: number;
  /** How many chat messages (and bytes) may wait to be stored before chat is refused. */
  chatBuffer: { messages: number; bytes: number };
  stunUrls: string[];
  /** TURN with coturn REST-API credentials, when TURN_URLS and TURN_SECRET are set. */
  turn: TurnConfig | undefined;
  /** Per-socket limits per event kind. */
  rateLimits: Record<SocketEventKind, RateLimit>;
  /** Wrong passcodes per meeting and caller (account, or address for guests), per 15 min. */
  passcodeFailures: RateLimit;
  /** GET /ice-servers per signed-in user, or per client address for guests. */
  iceServersRateLimit: RateLimit;
  /**
   * How long a socket whose connection dropped keeps its place in its room and can come back
   * with the same id (Socket.IO connection state recovery); 0: it leaves at once.
   */
  reconnectGraceMs: number;
}

export interface RedisConfig {
  url: string;
  /** Prefix of every key and channel, so several deployments can share one Redis. */
  keyPrefix: string;
  /** How often this instance announces it is alive. */
  heartbeatMs: number;
  /** An instance silent this long is dead: its participants are removed. */
  deadAfterMs: number;
}

export const DEFAULT_STUN_URLS = ['stun:stun.l.google.com:19302'];

/** Room for a largest signal plus the Socket.IO framing around it. */
const MIN_MESSAGE_BYTES = SIGNAL_MAX_BYTES + 6 * 1024;
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** Chat messages are kept from 1 s to 365 days (the TTL index's expireAfterSeconds). */
export const CHAT_RETENTION_BOUNDS = { min: 1, max: 365 * 86400 };
/** A dropped socket keeps its place from 1 s to 10 minutes, or not at all (0). */
export const RECONNECT_GRACE_BOUNDS = { min: 1, max: 600 };

/** RECONNECT_GRACE in ms: a duration (default 30 s), or 0 to turn the grace window off. */
function readReconnectGraceMs(env: Environment): number {
  const raw = readRaw(env, 'RECONNECT_GRACE');
  if (raw !== undefined && /^0+\s*[smhd]?$/i.test(raw.trim())) return 0;
  return readDuration(env, 'RECONNECT_GRACE', 30, RECONNECT_GRACE_BOUNDS) * 1000;
}
/** TURN credentials are valid from 1 s to 7 days. */
export const TURN_TTL_BOUNDS = { min: 1, max: 7 * 86400 };

/** A size (bytes, or with b/kb/mb/gb) from `min` to `max` bytes. */
function readByteSize(
  env: Environment,
  name: string,
  fallback: string,
  min: number,
  max: number,
): number {
  const bytes = parseByteSize(readRaw(env, name) ?? fallback);
  if (bytes === undefined || bytes < min || bytes > max) {
    throw new ConfigurationError(
      name,
      `must be a size from ${min / 1024}kb to ${max / 1024 ** 2}mb`,
    );
  }
  return bytes;
}

function readMaxMessageBytes(env: Environment): number {
  const bytes = parseByteSize(readRaw(env, 'SOCKET_MAX_MESSAGE_SIZE') ?? '256kb');
  if (bytes === undefined || bytes < MIN_MESSAGE_BYTES || bytes > MAX_MESSAGE_BYTES) {
    throw new ConfigurationError(
      'SOCKET_MAX_MESSAGE_SIZE',
      `must be a size from ${MIN_MESSAGE_BYTES / 1024}kb to 10mb (signal payloads may be ${SIGNAL_MAX_BYTES / 1024} KB)`,
    );
  }
  return bytes;
}

/**
 * Guests, room capacity, message size, chat retention, ICE/TURN, per-socket rate limits and
 * the /ice-servers rate limit.
 */
export function readSignalingConfig(env: Environment): SignalingConfig {
  const turnUrls = readUrlList(env, 'TURN_URLS', [], ['turn', 'turns']);
  const turnSecret = readRaw(env, 'TURN_SECRET');
  if (turnUrls.length > 0 && turnSecret === undefined) {
    throw new ConfigurationError('TURN_SECRET', 'is required when TURN_URLS is set');
  }
  // Read (so checked) even without TURN_URLS: a bad value fails at start, not on a later edit.
  const turnTtlSeconds = readDuration(env, 'TURN_TTL', 24 * 3600, TURN_TTL_BOUNDS);
  const perWindow = (name: string, fallback: number, windowMs: number): RateLimit => ({
    limit: readInteger(env, name, fallback, 1, 1_000_000),
    windowMs,
  });
  return {
    allowGuests: readBoolean(env, 'SIGNALING_ALLOW_GUESTS', true),
    maxParticipantsPerRoom: readInteger(env, 'ROOM_MAX_PARTICIPANTS', 16, 2, 1000),
    maxMessageBytes: readMaxMessageBytes(env),
    chatRetentionSeconds: readDuration(env, 'CHAT_RETENTION', 24 * 3600, CHAT_RETENTION_BOUNDS),
    chatHistoryLimit: readInteger(env, 'CHAT_HISTORY_LIMIT', 100, 0, 1000),
    chatBuffer: {
      messages: readInteger(env, 'CHAT_BUFFER_MESSAGES', 20_000, 10, 1_000_000),
      bytes: readByteSize(env, 'CHAT_BUFFER_BYTES', '32mb', 64 * 1024, 1024 * 1024 * 1024),
    },
    stunUrls: readUrlList(env, 'STUN_URLS', DEFAULT_STUN_URLS, ['stun', 'stuns']),
    turn:
      turnUrls.length > 0 && turnSecret !== undefined
        ? {
            urls: turnUrls,
            secret: turnSecret,
            ttlSeconds: turnTtlSeconds,
          }
        : undefined,
    rateLimits: {
      joins: perWindow('RATE_LIMIT_SOCKET_JOINS', 30, 60_000),
      signals: perWindow('RATE_LIMIT_SOCKET_SIGNALS', 1000, 10_000),
      chat: perWindow('RATE_LIMIT_SOCKET_CHAT', 30, 10_000),
      state: perWindow('RATE_LIMIT_SOCKET_STATE', 100, 10_000),
    },
    passcodeFailures: perWindow('RATE_LIMIT_PASSCODE_FAILURES', 10, 15 * 60_000),
    iceServersRateLimit: perWindow('RATE_LIMIT_ICE_SERVERS_PER_MINUTE', 30, 60_000),
    reconnectGraceMs: readReconnectGraceMs(env),
  };
}

/** REDIS_URL (scale-out; undefined: single process), REDIS_PREFIX, NODE_HEARTBEAT/DEAD_AFTER. */
export function readRedisConfig(env: Environment): RedisConfig | undefined {
  const url = readRaw(env, 'REDIS_URL');
  // Checked even without REDIS_URL: a bad value fails at start, not when scaling out later.
  const heartbeatMs = readInteger(env, 'NODE_HEARTBEAT_SECONDS', 5, 1, 3600) * 1000;
  const deadAfterMs = readInteger(env, 'NODE_DEAD_AFTER_SECONDS', 20, 2, 86400) * 1000;
  if (deadAfterMs < heartbeatMs * 2) {
    throw new ConfigurationError(
      'NODE_DEAD_AFTER_SECONDS',
      'must be at least twice NODE_HEARTBEAT_SECONDS',
    );
  }
  const keyPrefix = readRaw(env, 'REDIS_PREFIX') ?? 'meet:';
  if (!/^[\w:.-]{1,64}$/.test(keyPrefix)) {
    throw new ConfigurationError(
      'REDIS_PREFIX',
      'must be 1-64 letters, digits, ":", ".", "_" or "-"',
    );
  }
  if (url === undefined) return undefined;
  if (!/^rediss?:\/\/\S+$/.test(url)) {
    throw new ConfigurationError(
      'REDIS_URL',
      'must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379',
    );
  }
  return { url, keyPrefix, heartbeatMs, deadAfterMs };
}
