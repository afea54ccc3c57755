import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { resolve } from 'node:path';

/** The built CLI (the package's `bin`): the test script builds the package first. */
export const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

export interface CliProcess {
  child: ChildProcess;
  /** The server's address as the CLI printed it, without a database name. */
  uri: string;
  output: () => string;
}

/** Starts the CLI and resolves once it prints the address it listens at. */
export function startCli(
  args: string[],
  options: Pick<SpawnOptions, 'cwd' | 'env'> = {},
): Promise<CliProcess> {
  const child = spawn(process.execPath, [CLI, ...args], {
    ...options,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolveStart, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /(mongodb:\/\/\S+)/.exec(output);
      if (match) resolveStart({ child, uri: match[1], output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`database exited with ${code}: ${output}`)));
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit(child.exitCode);
    else child.once('exit', (code) => resolveExit(code));
  });
}
