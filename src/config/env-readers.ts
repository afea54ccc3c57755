/**
 * The shared helpers every area's config reader is built on. Each reads one variable from an
 * Environment (never `process.env` directly: see environment.ts) and throws a
 * ConfigurationError that names it.
 */

/** The environment as the process sees it: variable name → raw string value. */
export type Environment = Readonly<Record<string, string | undefined>>;

export type NodeEnvironment = 'development' | 'production' | 'test';

/** A configuration value that cannot be used: names the variable and says what is wrong. */
export class ConfigurationError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigurationError';
  }
}

/** The trimmed value, or undefined when the variable is unset or blank. */
export function readRaw(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A value quoted for an error message, cut short so a pasted secret does not fill the log. */
export function quoted(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
}

export function readInteger(
  env: Environment,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = readRaw(env, name);
  if (value === undefined) return fallback;
  const parsed = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigurationError(
      name,
      `must be an integer from ${min} to ${max} (got ${quoted(value)})`,
    );
  }
  return parsed;
}

export function readChoice<T extends string>(
  env: Environment,
  name: string,
  choices: readonly T[],
  fallback: T,
  aliases: Readonly<Record<string, T>> = {},
): T {
  const value = readRaw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  const choice = choices.find((candidate) => candidate === value) ?? aliases[value];
  if (choice === undefined) {
    throw new ConfigurationError(
      name,
      `must be one of ${choices.join(', ')} (got ${quoted(value)})`,
    );
  }
  return choice;
}

export function readBoolean(env: Environment, name: string, fallback: boolean): boolean {
  const value = readRaw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new ConfigurationError(name, `must be true or false (got ${quoted(value)})`);
}

const SIZE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** Parses `40kb`, `1mb`, `2048` (bytes). */
export function parseByteSize(value: string): number | undefined {
  const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(value.trim());
  if (!match) return undefined;
  const [, amount, unit = 'b'] = match;
  return Number(amount) * (SIZE_UNITS[unit.toLowerCase()] ?? 1);
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `3600` (seconds), `15m`, `12h`, `7d`; undefined unless a positive whole number of seconds. */
export function parseDurationSeconds(value: string): number | undefined {
  const match = /^(\d+)\s*(s|m|h|d)?$/i.exec(value.trim());
  if (!match) return undefined;
  const [, amount, unit = 's'] = match;
  const seconds = Number(amount) * (DURATION_UNITS[unit.toLowerCase()] ?? 1);
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : undefined;
}

/** Seconds in the largest unit that divides them evenly: 31536000 → `365d`, 90 → `90s`. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** Bounds of a duration variable, in seconds (both inclusive). */
export interface DurationBounds {
  min: number;
  max: number;
}

/**
 * A duration in seconds (`3600`, `15m`, `12h`, `7d`) within `bounds`. Every duration has an
 * upper bound: a value past what timers, dates and TTL indexes can hold would be accepted here
 * and fail later, on every request that uses it.
 */
export function readDuration(
  env: Environment,
  name: string,
  fallbackSeconds: number,
  bounds: DurationBounds,
): number {
  const value = readRaw(env, name);
  if (value === undefined) return fallbackSeconds;
  const seconds = parseDurationSeconds(value);
  if (seconds === undefined || seconds < bounds.min || seconds > bounds.max) {
    throw new ConfigurationError(
      name,
      `must be a duration from ${formatDuration(bounds.min)} to ${formatDuration(bounds.max)} such as 3600, 15m, 12h or 7d (got ${quoted(value)})`,
    );
  }
  return seconds;
}

/** A comma-separated list of URLs whose scheme is one of `schemes` (`stun:host:3478`). */
export function readUrlList(
  env: Environment,
  name: string,
  fallback: string[],
  schemes: string[],
): string[] {
  const value = readRaw(env, name);
  if (value === undefined) return fallback;
  const urls = value
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  for (const url of urls) {
    const scheme = url.split(':', 1)[0];
    if (!schemes.includes(scheme) || !/^[a-z]+:[^\s]+$/.test(url)) {
      throw new ConfigurationError(
        name,
        `must be a comma-separated list of ${schemes.join('/')} URLs such as ${schemes[0]}:host:3478 (got ${quoted(url)})`,
      );
    }
  }
  return urls;
}
