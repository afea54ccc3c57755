import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { closedPort } from './test-app.js';

export const MAIN_JS = resolve(import.meta.dirname, '../../dist/main.js');

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<ExitStatus>;
  /** Polls GET `path` until it answers `status`, or fails after `timeoutMs`. */
  waitFor(url: string, status?: number, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Runs the built server exactly as the container does (`node dist/main.js`), with only the
 * given variables (plus PATH) and an empty working directory, so no local .env leaks in.
 */
export function spawnServer(env: Record<string, string>): ServerProcess {
  const cwd = mkdtempSync(join(tmpdir(), 'meet-backend-'));
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<ExitStatus>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal = 'SIGKILL') => {
      if (!hasExited) child.kill(signal);
    },
    async waitFor(url, status = 200, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (hasExited) throw new Error(`server exited early:\n${out}\n${err}`);
        try {
          const response = await fetch(url);
          if (response.status === status) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${url}:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

export interface ClusterNode {
  server: ServerProcess;
  url: string;
}

/**
 * One app process of a test cluster (give it DB_URI, REDIS_URL and the rest in `env`): the
 * secret every node shares, cheap hashing and quiet logs. Resolves once it is ready.
 */
export async function startClusterNode(
  env: Record<string, string>,
  /** `live`: the process serves HTTP (not ready while Redis is down, say); default `ready`. */
  until: 'ready' | 'live' = 'ready',
): Promise<ClusterNode> {
  // A given PORT: a node started again where it was (a rolling deploy).
  const port = env.PORT === undefined ? await closedPort() : Number(env.PORT);
  const server = spawnServer({
    PORT: String(port),
    JWT_SECRET: 'integration-secret-shared-by-both-nodes-0123456789',
    BCRYPT_ROUNDS: '4',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  await server.waitFor(`${url}/health/${until}`, 200, 20_000);
  return { server, url };
}
