import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { closedPort } from './test-app.js';

/**
 * A Redis server of a test's own, so the test can stop it, hang it and start it again on the
 * same port without touching the shared one. Signalled by its pid only. By default it keeps
 * nothing (started again, it is empty); `persistent`: an append-only file synced at each
 * write in a directory of its own, so it comes back with what it had (a restart with
 * persistence, as after a network partition).
 */
export class RedisProcess {
  private child?: ChildProcess;
  private readonly dir?: string;

  private constructor(
    readonly port: number,
    persistent: boolean,
  ) {
    if (persistent) this.dir = mkdtempSync(join(tmpdir(), 'redis-process-'));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(options: { persistent?: boolean } = {}): Promise<RedisProcess> {
    const redis = new RedisProcess(await closedPort(), options.persistent ?? false);
    await redis.restart();
    return redis;
  }

  /** Starts the server (again) on its port and waits until it answers. */
  async restart(): Promise<void> {
    if (this.child) return;
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        ...(this.dir
          ? ['--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always']
          : ['--appendonly', 'no']),
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        probe.disconnect();
      }
    }
  }

  /** Stops the server at once (SIGKILL: an outage, not a clean shutdown). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // A hung server is killed too.
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  }

  /** Hangs the server (SIGSTOP): connections stay open, nothing answers. */
  hang(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Stops the server and removes what it kept on disk. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
