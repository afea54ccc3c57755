/**
 * What the benchmarks share: the servers they start (child processes on loopback), the CPU
 * and memory they read from /proc, the clients they connect and the percentiles they print.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { io, type Socket } from 'socket.io-client';

/** The project's root (the benchmarks run from dist-bench/bench/). */
export const ROOT = resolve(import.meta.dirname, '../..');

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far; NaN where /proc is missing. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (command) ": state is field 0, utime field 11, stime field 12.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** Resident memory of a process in bytes; NaN where /proc is missing. */
export function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  return typeof address === 'object' && address ? address.port : 0;
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** Polls `url` until it answers 2xx (bounded: 30 s). */
export async function waitUntilOk(url: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // starting
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${url} never answered`);
}

/** Our app with the embedded database run as its own process, as MongoDB would be. */
export interface OursWithDatabase {
  url: string;
  /** The database, for a bench that counts what was stored. */
  dbUri: string;
  /** The app's and the database's (CPU counts both; memory the app's, the first). */
  pids: [app: number, database: number];
  /** Stops the app alone (it writes what it still holds); stop() then stops both. */
  stopApp: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * Starts the embedded database (in memory, with BENCH_DB_HEAP_MB of heap: it keeps every
 * document, and a long run stores millions) and our app on it, with `env` on top of quiet
 * logs. BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the app.
 */
export async function startOursWithDatabase(
  env: Record<string, string>,
): Promise<OursWithDatabase> {
  const dbPort = await freePort();
  const database = spawn(
    process.execPath,
    [
      `--max-old-space-size=${process.env.BENCH_DB_HEAP_MB ?? 12_288}`,
      resolve(ROOT, 'packages/embedded-mongo/dist/cli.js'),
      '--port',
      String(dbPort),
      '--data-dir',
      ':memory:',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const port = await freePort();
  const dbUri = `mongodb://127.0.0.1:${dbPort}/bench`;
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const app = spawn(process.execPath, [...nodeArgs, resolve(ROOT, 'dist/main.js')], {
    env: { PATH: process.env.PATH, PORT: String(port), DB_URI: dbUri, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async (): Promise<void> => {
    await stopChild(app);
    await stopChild(database);
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilOk(`${url}/health/ready`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    dbUri,
    pids: [app.pid ?? 0, database.pid ?? 0],
    stopApp: () => stopChild(app),
    stop,
  };
}

/** The bare Socket.IO relay (bench/bare-relay-server.ts): the transport's floor. */
export async function startBareRelay(): Promise<{
  url: string;
  pid: number;
  stop(): Promise<void>;
}> {
  const child = spawn(process.execPath, [resolve(ROOT, 'dist-bench/bench/bare-relay-server.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((done) =>
    child.stdout?.once('data', (chunk: Buffer) => done(Number(chunk.toString().trim()))),
  );
  return { url: `http://127.0.0.1:${port}`, pid: child.pid ?? 0, stop: () => stopChild(child) };
}

/** `count` WebSocket clients, spread round-robin over `urls`, 100 at a time. */
export async function connectAll(urls: string | string[], count: number): Promise<Socket[]> {
  const targets = Array.isArray(urls) ? urls : [urls];
  const sockets: Socket[] = [];
  for (let offset = 0; offset < count; offset += 100) {
    const batch = Array.from(
      { length: Math.min(100, count - offset) },
      (_, i) =>
        new Promise<Socket>((done, fail) => {
          const socket = io(targets[(offset + i) % targets.length], {
            transports: ['websocket'],
            forceNew: true,
            reconnection: false,
          });
          socket.once('connect', () => done(socket));
          socket.once('connect_error', fail);
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
