import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import type { Environment } from './env-readers.js';

/**
 * The process environment, completed by a `.env` file in the working directory if there is one.
 * Variables already set in the environment win over the file, as with dotenv.
 * This is the only place that reads `process.env`.
 */
export function readProcessEnvironment(envFile = resolve(process.cwd(), '.env')): Environment {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}
