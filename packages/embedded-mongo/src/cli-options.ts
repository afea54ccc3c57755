import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, parseEnv } from 'node:util';

/** What the CLI starts the server with. */
export interface CliOptions {
  port: number;
  /** Journal directory; null keeps the data in memory only. */
  dataDir: string | null;
  ttlSweepIntervalMs: number;
}

export type Environment = Record<string, string | undefined>;

/** The data directory value that means "in memory, nothing on disk". */
export const IN_MEMORY_DATA_DIR = ':memory:';
const DEFAULT_DATA_DIR = './data';
/** MongoDB's own port: tools such as mongosh and Compass try it first. */
const DEFAULT_PORT = 27017;
const DEFAULT_TTL_SWEEP_SECONDS = 60;

/**
 * The environment completed by a `.env` file in the working directory, if there is one, so
 * that the variables a project keeps there apply to the standalone server too. Variables
 * already set in the environment win over the file, as with dotenv.
 */
export function readEnvironment(
  environment: Environment = process.env,
  envFile = resolve('.env'),
): Environment {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fromFile, ...environment };
}

/** Flags win over variables, variables over defaults. Throws on an unknown flag or a bad value. */
export function resolveCliOptions(args: string[], environment: Environment): CliOptions {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'in-memory': { type: 'boolean' },
      'ttl-sweep-ms': { type: 'string' },
    },
  });
  const port =
    values.port !== undefined
      ? integer('--port', values.port, 0, 65535)
      : (optionalInteger(environment, 'EMBEDDED_DB_PORT', 0, 65535) ?? DEFAULT_PORT);
  const ttlSweepIntervalMs =
    values['ttl-sweep-ms'] !== undefined
      ? integer('--ttl-sweep-ms', values['ttl-sweep-ms'], 10, 86_400_000)
      : (optionalInteger(environment, 'EMBEDDED_DB_TTL_SWEEP_SECONDS', 1, 86_400) ??
          DEFAULT_TTL_SWEEP_SECONDS) * 1000;
  const dataDir = values['in-memory']
    ? IN_MEMORY_DATA_DIR
    : (values['data-dir'] ?? variable(environment, 'DATA_DIR') ?? DEFAULT_DATA_DIR);
  return { port, dataDir: dataDir === IN_MEMORY_DATA_DIR ? null : dataDir, ttlSweepIntervalMs };
}

/** A variable's value; empty counts as unset, as in a `.env` line `NAME=`. */
function variable(environment: Environment, name: string): string | undefined {
  const value = environment[name]?.trim();
  return value === '' ? undefined : value;
}

function optionalInteger(
  environment: Environment,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = variable(environment, name);
  return value === undefined ? undefined : integer(name, value, min, max);
}

function integer(name: string, value: string, min: number, max: number): number {
  const parsed = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(
      `${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`,
    );
  }
  return parsed;
}
