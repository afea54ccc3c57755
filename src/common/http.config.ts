import { isIP } from 'node:net';
import {
  ConfigurationError,
  type Environment,
  type NodeEnvironment,
  parseByteSize,
  quoted,
  readInteger,
  readRaw,
} from '../config/env-readers.js';

export interface HttpConfig {
  port: number;
  /** Express "trust proxy": how client addresses are read behind a reverse proxy. */
  trustProxy: boolean | number | string;
  /** Origins allowed by CORS; `true` reflects any origin (development default). */
  corsOrigins: string[] | true;
  /** Largest accepted request body, in bytes. */
  bodyLimitBytes: number;
}

/** The port the existing client expects. */
export const DEFAULT_PORT = 8000;

/** The names Express's `trust proxy` (proxy-addr) knows for address ranges. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
/** The largest hop count accepted: more proxies than this in front of one server is a mistake. */
export const MAX_TRUSTED_HOPS = 32;

/** A dotted IPv4 netmask with contiguous ones and at least one (`255.255.0.0`). */
function isIpv4Netmask(mask: string): boolean {
  if (isIP(mask) !== 4) return false;
  const bits = mask
    .split('.')
    .map((octet) => Number(octet).toString(2).padStart(8, '0'))
    .join('');
  return /^1+0*$/.test(bits);
}

/**
 * One entry of a TRUST_PROXY list as proxy-addr accepts it: a range name, an IP address, or
 * an address with a prefix length (`10.0.0.0/8`, `fc00::/7`) or an IPv4 netmask
 * (`10.0.0.0/255.0.0.0`). Stricter than proxy-addr (no zone ids, no `0x0a.1` IPv4 forms, an
 * embedded IPv4 part only as `::ffff:a.b.c.d`), so whatever passes here is sure to be accepted
 * by Express at start-up instead of crashing it.
 */
export function isTrustedProxyEntry(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const slash = entry.lastIndexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const version = isIP(address);
  if (version === 0 || address.includes('%')) return false;
  // proxy-addr reads an embedded IPv4 part only in the IPv4-mapped form (::ffff:10.0.0.1).
  if (version === 6 && address.includes('.') && !/^::ffff:[\d.]+$/.test(address)) return false;
  if (slash === -1) return true;
  const range = entry.slice(slash + 1);
  if (/^\d{1,3}$/.test(range)) {
    const prefix = Number(range);
    return prefix >= 1 && prefix <= (version === 4 ? 32 : 128);
  }
  return version === 4 && isIpv4Netmask(range);
}

/**
 * Express's `trust proxy`: true/false, a hop count (0-32), or a comma-separated list of
 * addresses, subnets and range names (normalised to `a, b`).
 */
function readTrustProxy(env: Environment): boolean | number | string {
  const value = readRaw(env, 'TRUST_PROXY');
  if (value === undefined) return false;
  const lower = value.toLowerCase();
  if (lower === 'false') return false;
  if (lower === 'true') return true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_TRUSTED_HOPS) {
      throw new ConfigurationError(
        'TRUST_PROXY',
        `must be a hop count from 0 to ${MAX_TRUSTED_HOPS} (got ${quoted(value)})`,
      );
    }
    return hops;
  }
  const entries = lower
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const invalid = entries.find((entry) => !isTrustedProxyEntry(entry));
  if (entries.length === 0 || invalid !== undefined) {
    throw new ConfigurationError(
      'TRUST_PROXY',
      `must be false, true, a hop count from 0 to ${MAX_TRUSTED_HOPS}, or a comma-separated list of IP addresses, subnets (10.0.0.0/8) and loopback, linklocal or uniquelocal (got ${quoted(invalid ?? value)})`,
    );
  }
  return entries.join(', ');
}

function readCorsOrigins(env: Environment, nodeEnv: NodeEnvironment): string[] | true {
  const value = readRaw(env, 'CORS_ORIGINS');
  if (value === undefined || value === '*') {
    // Production without a list: same-origin only (no cross-origin browser access).
    return nodeEnv === 'production' && value === undefined ? [] : true;
  }
  const origins = value
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== origin) {
      throw new ConfigurationError(
        'CORS_ORIGINS',
        `must be a comma-separated list of origins such as https://app.example.com (got ${quoted(origin)})`,
      );
    }
  }
  return origins;
}

function readBodyLimit(env: Environment): number {
  const value = readRaw(env, 'BODY_LIMIT');
  const bytes = value === undefined ? 40 * 1024 : parseByteSize(value);
  if (bytes === undefined || bytes < 1 || bytes > 100 * 1024 * 1024) {
    throw new ConfigurationError(
      'BODY_LIMIT',
      `must be a size from 1b to 100mb such as 40kb or 1mb (got ${quoted(value ?? '')})`,
    );
  }
  return bytes;
}

/** PORT, TRUST_PROXY, CORS_ORIGINS, BODY_LIMIT. */
export function readHttpConfig(env: Environment, nodeEnv: NodeEnvironment): HttpConfig {
  return {
    port: readInteger(env, 'PORT', DEFAULT_PORT, 0, 65535),
    trustProxy: readTrustProxy(env),
    corsOrigins: readCorsOrigins(env, nodeEnv),
    bodyLimitBytes: readBodyLimit(env),
  };
}
