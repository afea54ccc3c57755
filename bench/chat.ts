/**
 * bench/chat: persisted chat against the bare relay, in one run.
 * ROOMS rooms of 2 (default 1,000): in every room one message is in flight at a time; when a
 * member receives the other's message it answers. Messages per second, p50/p99 latency and
 * server CPU per message, for our server (per-socket limits lifted, every message stored,
 * the database as its own process as in production) and for the bare Socket.IO relay
 * (bench/bare-relay-server.ts, no storage), alternating. Also memory per connected socket
 * (RSS growth while the sockets connect and join, divided by their number), and the servers'
 * memory under the load (its end and its growth over the last half: BENCH_SECONDS=600
 * BENCH_ROUNDS=1 shows whether it levels off).
 * Servers run in child processes on loopback; loops are bounded by time and count.
 */
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import type { Socket } from 'socket.io-client';
import {
  connectAll,
  cpuSeconds,
  percentile,
  rssBytes,
  startBareRelay,
  startOursWithDatabase,
} from './support.js';

const ROOMS = Number(process.env.BENCH_ROOMS ?? 1000);
const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const WARMUP_MS = 1500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

interface Target {
  name: 'ours' | 'bare';
  url: string;
  /** The processes whose CPU counts as the server's (ours: the app and its database). */
  pids: number[];
  /**
   * Ours: stops the app (it writes what it still holds) and says how many messages it took,
   * refused (shed) and how many the database holds.
   */
  account?(): Promise<{ accepted: number; shed: number; stored: number }>;
  stop(): Promise<void>;
}

/** A counter's value in Prometheus text. */
function metric(text: string, name: string): number {
  const line = text.split('\n').find((row) => row.startsWith(`${name} `));
  return line === undefined ? NaN : Number(line.slice(name.length + 1));
}

async function startOurs(): Promise<Target> {
  const ours = await startOursWithDatabase({
    RATE_LIMIT_SOCKET_CHAT: '1000000',
    RATE_LIMIT_SOCKET_JOINS: '1000000',
    METRICS_ENABLED: 'true',
  });
  return {
    name: 'ours',
    url: ours.url,
    pids: ours.pids,
    account: async () => {
      const metrics = await (await fetch(`${ours.url}/metrics`)).text();
      await ours.stopApp();
      const client = new mongoose.mongo.MongoClient(ours.dbUri);
      try {
        const stored = await client.db().collection('chat_messages').countDocuments();
        return {
          accepted: metric(metrics, 'signaling_chat_messages_total'),
          shed: metric(metrics, 'signaling_chat_messages_shed_total'),
          stored,
        };
      } finally {
        await client.close();
      }
    },
    stop: ours.stop,
  };
}

async function startBare(): Promise<Target> {
  const relay = await startBareRelay();
  return { name: 'bare', url: relay.url, pids: [relay.pid], stop: () => relay.stop() };
}

async function joinPairs(sockets: Socket[]): Promise<Socket[][]> {
  const rooms: Socket[][] = [];
  for (let i = 0; i < sockets.length; i += 2) rooms.push(sockets.slice(i, i + 2));
  // The second member joins once the first is in: both then hear the second's user-joined.
  await Promise.all(
    rooms.map(async ([first, second], r) => {
      await new Promise<void>((done) => {
        first.once('user-joined', () => done());
        first.emit('join-call', `chat-${r}`, 'first');
      });
      await new Promise<void>((done) => {
        second.once('user-joined', () => done());
        second.emit('join-call', `chat-${r}`, 'second');
      });
    }),
  );
  return rooms;
}

interface ChatResult {
  rate: number;
  p50: number;
  p99: number;
  cpuPerMessage: number;
  bytesPerSocket: number;
  /** Messages refused because too many waited to be stored (sent again by the bench). */
  refusedPerSecond: number;
  /** The server's resident memory at the end of the load, and its growth over the last half. */
  rssEnd: number;
  rssLastHalfGrowth: number;
}

async function measure(target: Target): Promise<ChatResult> {
  const serverCpu = (): number => target.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const rssBefore = rssBytes(target.pids[0]);
  const sockets = await connectAll(target.url, ROOMS * 2);
  const rooms = await joinPairs(sockets);
  await new Promise((done) => setTimeout(done, 500));
  const bytesPerSocket = (rssBytes(target.pids[0]) - rssBefore) / sockets.length;
  let measuring = false;
  let running = true;
  let delivered = 0;
  let refused = 0;
  const latencies: number[] = [];
  for (const [first, second] of rooms) {
    // Each message reaches both members; the one who did not send it answers.
    for (const [socket, other] of [
      [first, second],
      [second, first],
    ]) {
      socket.on('chat-message', (text: string, _sender: string, senderId: string) => {
        if (senderId !== other.id) return;
        const sentAt = Number(text.slice(text.lastIndexOf(' ') + 1));
        if (measuring) {
          delivered += 1;
          if (delivered % 5 === 0) latencies.push(performance.now() - sentAt);
        }
        if (running) socket.emit('chat-message', `reply at ${performance.now()}`);
      });
      // Refused (too many wait to be stored): sent again shortly, as a user would.
      socket.on('signaling-error', (event: string) => {
        if (event !== 'chat-message') return;
        if (measuring) refused += 1;
        setTimeout(() => {
          if (running) socket.emit('chat-message', `again at ${performance.now()}`);
        }, 20);
      });
    }
  }
  for (const [first] of rooms) first.emit('chat-message', `hello at ${performance.now()}`);
  await new Promise((done) => setTimeout(done, WARMUP_MS));
  measuring = true;
  const started = performance.now();
  const cpuBefore = serverCpu();
  const rss: number[] = [];
  const sampler = setInterval(() => {
    rss.push(rssBytes(target.pids[0]));
    // Long runs: a line a minute on stderr.
    if (rss.length % 60 === 0)
      console.error(
        `  [${target.name}] ${rss.length} s: ${(rss[rss.length - 1] / 1024 / 1024).toFixed(0)} MB, ${(delivered / ((performance.now() - started) / 1000)).toFixed(0)} messages/s, ${refused} refused`,
      );
  }, 1_000);
  await new Promise((done) => setTimeout(done, MEASURE_MS));
  clearInterval(sampler);
  rss.push(rssBytes(target.pids[0]));
  measuring = false;
  const cpuUsed = serverCpu() - cpuBefore;
  const elapsed = performance.now() - started;
  running = false;
  await new Promise((done) => setTimeout(done, 300));
  for (const socket of sockets) socket.close();
  await new Promise((done) => setTimeout(done, 1_000));
  latencies.sort((a, b) => a - b);
  return {
    rate: delivered / (elapsed / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuPerMessage: (cpuUsed * 1e6) / delivered,
    bytesPerSocket,
    refusedPerSecond: refused / (elapsed / 1000),
    rssEnd: rss[rss.length - 1],
    rssLastHalfGrowth: rss[rss.length - 1] - rss[Math.floor((rss.length - 1) / 2)],
  };
}

async function main(): Promise<void> {
  const results: Record<Target['name'], ChatResult[]> = { ours: [], bare: [] };
  const accounts: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const start of round % 2 === 0 ? [startOurs, startBare] : [startBare, startOurs]) {
      const target = await start();
      try {
        results[target.name].push(await measure(target));
        if (target.account) {
          const { accepted, shed, stored } = await target.account();
          accounts.push(
            `${stored} stored of ${accepted} accepted (${shed} refused as shed)${stored === accepted ? '' : ' MISMATCH'}`,
          );
        }
      } finally {
        await target.stop();
      }
    }
  }
  const mean = (name: Target['name'], key: keyof ChatResult): number =>
    results[name].reduce((sum, result) => sum + result[key], 0) / results[name].length;
  const line = (name: Target['name']): string =>
    `  ${name}: ${mean(name, 'rate').toFixed(0)} messages/s, p50 ${mean(name, 'p50').toFixed(1)} ms, p99 ${mean(name, 'p99').toFixed(1)} ms, ${mean(name, 'cpuPerMessage').toFixed(1)} µs server CPU/message, ${(mean(name, 'bytesPerSocket') / 1024).toFixed(1)} KB/socket, ${mean(name, 'refusedPerSecond').toFixed(0)} refused/s`;
  const ratio = (key: keyof ChatResult): number => mean('ours', key) / mean('bare', key);
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  console.log(
    `chat benchmark: ${ROOMS} rooms of 2, one message in flight per room, every message stored (ours), ${ROUNDS} rounds of ${MEASURE_MS / 1000}s`,
  );
  console.log(line('ours'));
  console.log(line('bare'));
  const verdict = (ok: boolean): string => (ok ? 'OK' : 'OFF TARGET');
  console.log(
    `  messages/s ours/bare:  ${ratio('rate').toFixed(2)} (target >= 0.7) ${verdict(ratio('rate') >= 0.7)}`,
  );
  console.log(
    `  p99 ours/bare:         ${ratio('p99').toFixed(2)} (target <= 1.5) ${verdict(ratio('p99') <= 1.5)}`,
  );
  console.log(`  CPU/message ours/bare: ${ratio('cpuPerMessage').toFixed(2)} (app and database)`);
  console.log(
    `  memory/socket ours/bare: ${ratio('bytesPerSocket').toFixed(2)} (target <= 1.3) ${verdict(ratio('bytesPerSocket') <= 1.3)}`,
  );
  console.log(`  every message stored or shed (ours, per round): ${accounts.join('; ')}`);
  // Run long (BENCH_SECONDS=600 BENCH_ROUNDS=1) to see whether memory levels off under load.
  console.log(
    `  memory under load: ours ${mb(mean('ours', 'rssEnd'))} (${mb(mean('ours', 'rssLastHalfGrowth'))} growth over the last half), bare ${mb(mean('bare', 'rssEnd'))} (${mb(mean('bare', 'rssLastHalfGrowth'))}); ours/bare ${ratio('rssEnd').toFixed(2)} (target <= 1.5) ${verdict(ratio('rssEnd') <= 1.5)}`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
