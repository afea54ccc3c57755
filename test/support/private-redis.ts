import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { closedPort } from './test-app.js';

export interface PrivateRedis {
  url: string;
  pid: number;
  /** A client of this server (closed by `stop`). */
  client: Redis;
  /** Kills the server (SIGKILL, by its pid) and waits until it is gone. */
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A Redis server of the test's own, on a free loopback port, with nothing saved to disk: for
 * suites that stop or pause Redis, which they must never do to a Redis others share.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await closedPort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-'));
  const pidFile = join(dir, 'redis.pid');
  // Synchronous on purpose: with --daemonize the command returns once the server has forked.
  execFileSync('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--daemonize',
    'yes',
    '--pidfile',
    pidFile,
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: 0, lazyConnect: true });
  client.on('error', () => undefined);
  let pid = 0;
  for (let attempt = 0; attempt < 100 && pid === 0; attempt++) {
    try {
      if (client.status !== 'ready') await client.connect();
      await client.ping();
      pid = Number(readFileSync(pidFile, 'utf8').trim());
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  if (!pid) throw new Error(`redis-server on port ${port} did not start`);
  return {
    url,
    pid,
    client,
    async stop() {
      client.disconnect();
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      for (let attempt = 0; attempt < 100 && alive(pid); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
