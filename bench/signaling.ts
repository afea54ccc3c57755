/**
 * bench/signaling: the relay against the transport's floor, in one run.
 * - Signals: ROOMS x PER_ROOM sockets (default 200 x 5); in every room each participant keeps
 *   one ICE-candidate-sized signal circulating to the next participant (1,000 in flight).
 *   Relayed messages per second and p50/p99 latency, for our server (node dist/main.js) and
 *   for a bare Socket.IO relay (bench/bare-relay-server.ts), alternating; prints our/bare.
 *   Also the servers' CPU time per relayed signal (Linux /proc), steadier than throughput on
 *   a shared machine: the load generator competes for the same cores.
 * - Chat fan-out: the cost per message with 10 active rooms while 10 or 1,000 rooms exist.
 * Servers run in child processes on loopback; loops are bounded by time and count.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Socket } from 'socket.io-client';
import {
  connectAll,
  cpuSeconds,
  freePort,
  percentile,
  ROOT,
  startBareRelay,
  stopChild,
  waitUntilOk,
} from './support.js';

const ROOMS = Number(process.env.BENCH_ROOMS ?? 200);
const PER_ROOM = Number(process.env.BENCH_PER_ROOM ?? 5);
const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const WARMUP_MS = 1500;
const ROUNDS = 2;

interface Target {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startOurs(extraEnv: Record<string, string> = {}): Promise<Target> {
  const port = await freePort();
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles our server.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, resolve(ROOT, 'dist/main.js')], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      DATA_DIR: ':memory:',
      LOG_LEVEL: 'warn',
      ROOM_MAX_PARTICIPANTS: '1000',
      RATE_LIMIT_SOCKET_SIGNALS: '1000000',
      RATE_LIMIT_SOCKET_CHAT: '1000000',
      RATE_LIMIT_SOCKET_JOINS: '1000000',
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitUntilOk(`http://127.0.0.1:${port}/health/ready`);
  return {
    name: 'ours',
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    stop: () => stopChild(child),
  };
}

async function startBare(): Promise<Target> {
  return { name: 'bare', ...(await startBareRelay()) };
}

async function joinRooms(sockets: Socket[], perRoom: number, prefix: string): Promise<Socket[][]> {
  const rooms: Socket[][] = [];
  for (let i = 0; i < sockets.length; i += perRoom) rooms.push(sockets.slice(i, i + perRoom));
  await Promise.all(
    rooms.flatMap((members, r) =>
      members.map(
        (socket, m) =>
          new Promise<void>((done) => {
            socket.once('user-joined', () => done());
            socket.emit('join-call', `${prefix}-${r}`, `p${m}`);
          }),
      ),
    ),
  );
  return rooms;
}

/** Lets the server finish handling the disconnects before the next measurement. */
function settle(): Promise<void> {
  return new Promise((done) => setTimeout(done, 1_000));
}

interface SignalResult {
  rate: number;
  p50: number;
  p99: number;
  /** Server CPU microseconds per relayed signal (all servers together). */
  cpuPerSignal: number;
}

async function measureSignals(targets: Target[]): Promise<SignalResult> {
  const urls = targets.map((target) => target.url);
  const serverCpu = (): number => targets.reduce((sum, target) => sum + cpuSeconds(target.pid), 0);
  const sockets = await connectAll(urls, ROOMS * PER_ROOM);
  const rooms = await joinRooms(sockets, PER_ROOM, 'sig');
  let measuring = false;
  let running = true;
  let relayed = 0;
  const latencies: number[] = [];
  const padding =
    'a=candidate:1 1 udp 2122260223 192.168.1.10 54321 typ host generation 0 ufrag abcd network-id 1';
  for (const members of rooms) {
    members.forEach((socket, index) => {
      const next = members[(index + 1) % members.length];
      socket.on('signal', (_from: string, message: string) => {
        const sentAt = Number(message.slice(message.lastIndexOf(':') + 1, -2));
        if (measuring) {
          relayed += 1;
          if (relayed % 7 === 0) latencies.push(performance.now() - sentAt);
        }
        if (running)
          socket.emit(
            'signal',
            next.id,
            `{"ice":{"candidate":"${padding}","t":${performance.now()}}}`,
          );
      });
    });
  }
  for (const members of rooms) {
    members.forEach((socket, index) => {
      socket.emit(
        'signal',
        members[(index + 1) % members.length].id,
        `{"ice":{"candidate":"${padding}","t":${performance.now()}}}`,
      );
    });
  }
  await new Promise((done) => setTimeout(done, WARMUP_MS));
  measuring = true;
  const started = performance.now();
  const cpuBefore = serverCpu();
  await new Promise((done) => setTimeout(done, MEASURE_MS));
  measuring = false;
  const cpuUsed = serverCpu() - cpuBefore;
  const elapsed = performance.now() - started;
  running = false;
  await new Promise((done) => setTimeout(done, 300));
  for (const socket of sockets) socket.close();
  await settle();
  latencies.sort((a, b) => a - b);
  return {
    rate: relayed / (elapsed / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuPerSignal: (cpuUsed * 1e6) / relayed,
  };
}

/** Milliseconds per chat message (fan-out to 5) from 10 active rooms, with `totalRooms` rooms open. */
let chatRun = 0;

async function measureChat(target: Target, totalRooms: number): Promise<number> {
  chatRun += 1;
  const active = await joinRooms(await connectAll(target.url, 10 * 5), 5, `chat-active-${chatRun}`);
  const idleSockets = await connectAll(target.url, (totalRooms - 10) * 2);
  await joinRooms(idleSockets, 2, `chat-idle-${chatRun}`);
  const messages = 2_000;
  let received = 0;
  const expected = messages * 5;
  const done = new Promise<void>((finish) => {
    for (const members of active) {
      for (const socket of members) {
        socket.on('chat-message', () => {
          received += 1;
          if (received === expected) finish();
        });
      }
    }
  });
  const started = performance.now();
  for (let i = 0; i < messages; i++) {
    const members = active[i % active.length];
    members[i % members.length].emit('chat-message', `message ${i}`, 'bench');
    if (i % 50 === 49) await new Promise((resolveTick) => setImmediate(resolveTick));
  }
  await Promise.race([done, new Promise((finish) => setTimeout(finish, 60_000))]);
  const perMessage = (performance.now() - started) / messages;
  for (const socket of [...active.flat(), ...idleSockets]) socket.close();
  await settle();
  return perMessage;
}

async function main(): Promise<void> {
  const results: Record<string, SignalResult[]> = {
    ours: [],
    bare: [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which server goes first, so neither always runs on a fresher machine.
    for (const start of round % 2 === 0 ? [startOurs, startBare] : [startBare, startOurs]) {
      const target = await start();
      try {
        results[target.name].push(await measureSignals([target]));
      } finally {
        await target.stop();
      }
    }
  }
  const mean = (name: string, key: keyof SignalResult): number =>
    results[name].reduce((sum, result) => sum + result[key], 0) / results[name].length;
  const summary = (name: string): SignalResult => ({
    rate: mean(name, 'rate'),
    p50: mean(name, 'p50'),
    p99: mean(name, 'p99'),
    cpuPerSignal: mean(name, 'cpuPerSignal'),
  });
  const ours = summary('ours');
  const bare = summary('bare');
  const throughputRatio = ours.rate / bare.rate;
  const p99Ratio = ours.p99 / bare.p99;
  const cpuRatio = ours.cpuPerSignal / bare.cpuPerSignal;
  console.log(
    `signaling benchmark: ${ROOMS} rooms x ${PER_ROOM} participants, ${ROUNDS} rounds of ${MEASURE_MS / 1000}s each`,
  );
  console.log(
    `  ours: ${ours.rate.toFixed(0)} signals/s, p50 ${ours.p50.toFixed(1)} ms, p99 ${ours.p99.toFixed(1)} ms, ${ours.cpuPerSignal.toFixed(1)} µs server CPU/signal`,
  );
  console.log(
    `  bare: ${bare.rate.toFixed(0)} signals/s, p50 ${bare.p50.toFixed(1)} ms, p99 ${bare.p99.toFixed(1)} ms, ${bare.cpuPerSignal.toFixed(1)} µs server CPU/signal`,
  );
  console.log(
    `  throughput ours/bare: ${throughputRatio.toFixed(2)} (target >= 0.85) ${throughputRatio >= 0.85 ? 'OK' : 'BELOW TARGET'}`,
  );
  console.log(
    `  p99 ours/bare:        ${p99Ratio.toFixed(2)} (target <= 1.5) ${p99Ratio <= 1.5 ? 'OK' : 'ABOVE TARGET'}`,
  );
  console.log(
    `  CPU/signal ours/bare: ${cpuRatio.toFixed(2)} (target <= 1.5) ${cpuRatio <= 1.5 ? 'OK' : 'ABOVE TARGET'}`,
  );

  if (process.env.BENCH_CLUSTER === '1') {
    // Two instances sharing Redis; every room's participants alternate between them.
    const cluster = {
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `bench:${process.pid}:`,
    };
    const nodes = [await startOurs(cluster), await startOurs(cluster)];
    try {
      const two = await measureSignals(nodes);
      console.log(
        `  two nodes + Redis: ${two.rate.toFixed(0)} signals/s, p50 ${two.p50.toFixed(1)} ms, p99 ${two.p99.toFixed(1)} ms, ${two.cpuPerSignal.toFixed(1)} µs server CPU/signal` +
          ` (vs one node: ${(two.rate / ours.rate).toFixed(2)}x throughput, ${(two.p99 / ours.p99).toFixed(2)}x p99, ${(two.cpuPerSignal / ours.cpuPerSignal).toFixed(2)}x CPU/signal)`,
      );
    } finally {
      await Promise.all(nodes.map((node) => node.stop()));
    }
  }

  const target = await startOurs();
  try {
    await measureChat(target, 10); // warm-up (JIT, database connection)
    const small = await measureChat(target, 10);
    const large = await measureChat(target, 1000);
    const chatRatio = large / small;
    console.log(
      `chat fan-out (ours, 10 active rooms of 5): ${small.toFixed(3)} ms/message with 10 rooms, ${large.toFixed(3)} with 1,000`,
    );
    console.log(
      `  ratio 1,000/10 rooms: ${chatRatio.toFixed(2)} (per-message cost must not grow with rooms; target <= 1.5) ${chatRatio <= 1.5 ? 'OK' : 'ABOVE TARGET'}`,
    );
  } finally {
    await target.stop();
  }
}

await main();
