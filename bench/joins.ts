/**
 * bench/joins: a join storm against the bare relay, in one run.
 * ROOMS x PER_ROOM sockets (default 200 x 5) connect first (not timed); then every one of them
 * emits `join-call` at once, into rooms whose ids are new each round. A room is complete when
 * every member knows every other member (from `user-joined`: the joiner and the `clients`
 * list). Measured: the time from the first emit until every room is complete (bounded by
 * 60 s; rooms still incomplete then are reported), p50/p99 of each socket's time from its own
 * emit until its room was complete, and the server CPU per join (ours: the app and its
 * database, run as its own process as in production) while the storm lasts. Also memory per
 * connected socket: the server's RSS growth (ours: the app process, as in bench/chat) from
 * just before connecting until a second after the storm, divided by the number of sockets.
 * Our server runs with per-socket limits lifted; the bare relay is bench/bare-relay-server.ts.
 * Fresh servers each round, alternating which goes first. Servers run in child processes on
 * loopback; loops are bounded by time and count.
 */
import { performance } from 'node:perf_hooks';
import type { Socket } from 'socket.io-client';
import {
  connectAll,
  cpuSeconds,
  percentile,
  rssBytes,
  startBareRelay,
  startOursWithDatabase,
} from './support.js';

const ROOMS = Number(process.env.BENCH_ROOMS ?? 200);
const PER_ROOM = Number(process.env.BENCH_PER_ROOM ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STORM_TIMEOUT_MS = 60_000;

interface Target {
  name: 'ours' | 'bare';
  url: string;
  /** The processes whose CPU counts as the server's (ours: the app and its database). */
  pids: number[];
  stop(): Promise<void>;
}

async function startOurs(): Promise<Target> {
  const ours = await startOursWithDatabase({
    ROOM_MAX_PARTICIPANTS: String(Math.min(1000, Math.max(16, PER_ROOM))),
    RATE_LIMIT_SOCKET_SIGNALS: '1000000',
    RATE_LIMIT_SOCKET_CHAT: '1000000',
    RATE_LIMIT_SOCKET_JOINS: '1000000',
    RATE_LIMIT_SOCKET_STATE: '1000000',
  });
  return { name: 'ours', url: ours.url, pids: ours.pids, stop: ours.stop };
}

async function startBare(): Promise<Target> {
  const relay = await startBareRelay();
  return { name: 'bare', url: relay.url, pids: [relay.pid], stop: () => relay.stop() };
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

interface StormResult {
  /** From the first emit until every room was complete (the timeout if some never were). */
  stormMs: number;
  /** Each socket's time from its own emit until its room was complete (complete rooms only). */
  p50: number;
  p99: number;
  /** Server CPU microseconds per join over the storm (app and database for ours). */
  cpuPerJoin: number;
  /** The database process's share of cpuPerJoin (ours; 0 for the bare relay). */
  databaseCpuPerJoin: number;
  /** The server's RSS growth while the sockets connected and joined, per socket. */
  bytesPerSocket: number;
  incompleteRooms: number;
  /** `signaling-error` events received during the storm (refused or failed joins). */
  errors: number;
}

async function measure(target: Target, round: number): Promise<StormResult> {
  const serverCpu = (): number => target.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const databaseCpu = (): number =>
    target.pids.slice(1).reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  await sleep(1_000); // the server's start-up settles before the baseline
  const rssBefore = rssBytes(target.pids[0]);
  const sockets = await connectAll(target.url, ROOMS * PER_ROOM);
  try {
    const rooms: Socket[][] = [];
    for (let i = 0; i < sockets.length; i += PER_ROOM) rooms.push(sockets.slice(i, i + PER_ROOM));
    const emittedAt = new Map<Socket, number>();
    const completedAt: (number | undefined)[] = rooms.map(() => undefined);
    let completeRooms = 0;
    let errors = 0;
    let finish: () => void = () => undefined;
    const allComplete = new Promise<void>((done) => (finish = done));
    rooms.forEach((members, r) => {
      const ids = members.map((socket) => socket.id ?? '');
      let completeMembers = 0;
      for (const socket of members) {
        const others = new Set(ids.filter((id) => id !== socket.id));
        let knowsAll = false;
        const learn = (id: string): void => {
          if (knowsAll) return;
          others.delete(id);
          if (others.size > 0) return;
          knowsAll = true;
          completeMembers += 1;
          if (completeMembers < members.length) return;
          completedAt[r] = performance.now();
          completeRooms += 1;
          if (completeRooms === rooms.length) finish();
        };
        socket.on('user-joined', (joiner: string, clients: string[]) => {
          learn(joiner);
          for (const id of clients) learn(id);
        });
        socket.on('signaling-error', () => (errors += 1));
      }
    });
    const cpuBefore = serverCpu();
    const databaseCpuBefore = databaseCpu();
    const started = performance.now();
    rooms.forEach((members, r) => {
      members.forEach((socket, m) => {
        emittedAt.set(socket, performance.now());
        socket.emit('join-call', `storm-${round}-${r}`, `p${m}`);
      });
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      allComplete,
      new Promise((done) => (timer = setTimeout(done, STORM_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    const stormMs = performance.now() - started;
    const cpuUsed = serverCpu() - cpuBefore;
    const databaseCpuUsed = databaseCpu() - databaseCpuBefore;
    const latencies: number[] = [];
    rooms.forEach((members, r) => {
      const at = completedAt[r];
      if (at === undefined) return;
      for (const socket of members) latencies.push(at - (emittedAt.get(socket) ?? started));
    });
    latencies.sort((a, b) => a - b);
    await sleep(1_000);
    const bytesPerSocket = (rssBytes(target.pids[0]) - rssBefore) / sockets.length;
    return {
      stormMs,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      cpuPerJoin: (cpuUsed * 1e6) / sockets.length,
      databaseCpuPerJoin: (databaseCpuUsed * 1e6) / sockets.length,
      bytesPerSocket,
      incompleteRooms: rooms.length - completeRooms,
      errors,
    };
  } finally {
    for (const socket of sockets) socket.close();
    await sleep(1_000);
  }
}

async function main(): Promise<void> {
  const results: Record<Target['name'], StormResult[]> = { ours: [], bare: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which server goes first, so neither always runs on a fresher machine.
    for (const start of round % 2 === 0 ? [startOurs, startBare] : [startBare, startOurs]) {
      const target = await start();
      try {
        results[target.name].push(await measure(target, round));
      } finally {
        await target.stop();
      }
    }
  }
  const mean = (name: Target['name'], key: keyof StormResult): number =>
    results[name].reduce((sum, result) => sum + result[key], 0) / results[name].length;
  const total = (name: Target['name'], key: keyof StormResult): number =>
    results[name].reduce((sum, result) => sum + result[key], 0);
  const ratio = (key: keyof StormResult): number => mean('ours', key) / mean('bare', key);
  const line = (name: Target['name']): string =>
    `  ${name}: storm ${mean(name, 'stormMs').toFixed(0)} ms (rounds: ${results[name].map((result) => result.stormMs.toFixed(0)).join(', ')}), p50 ${mean(name, 'p50').toFixed(0)} ms, p99 ${mean(name, 'p99').toFixed(0)} ms, ${mean(name, 'cpuPerJoin').toFixed(0)} µs server CPU/join${name === 'ours' ? ` (database ${mean(name, 'databaseCpuPerJoin').toFixed(0)})` : ''}, ${(mean(name, 'bytesPerSocket') / 1024).toFixed(1)} KB/socket` +
    `, ${total(name, 'incompleteRooms')} incomplete rooms, ${total(name, 'errors')} errors`;
  console.log(
    `join storm benchmark: ${ROOMS} rooms x ${PER_ROOM} participants (${ROOMS * PER_ROOM} sockets joining at once), ${ROUNDS} rounds`,
  );
  console.log(line('ours'));
  console.log(line('bare'));
  console.log(
    `  storm time ours/bare:    ${ratio('stormMs').toFixed(2)} (target <= 1.2) ${ratio('stormMs') <= 1.2 ? 'OK' : 'ABOVE TARGET'}`,
  );
  console.log(`  p99 ours/bare:           ${ratio('p99').toFixed(2)}`);
  console.log(`  CPU/join ours/bare:      ${ratio('cpuPerJoin').toFixed(2)} (app and database)`);
  console.log(
    `  memory/socket ours/bare: ${ratio('bytesPerSocket').toFixed(2)} (target <= 1.3) ${ratio('bytesPerSocket') <= 1.3 ? 'OK' : 'ABOVE TARGET'}`,
  );
  for (const name of ['ours', 'bare'] as const) {
    if (total(name, 'incompleteRooms') > 0) {
      console.log(
        `  ${name}: ${total(name, 'incompleteRooms')} rooms were not complete after ${STORM_TIMEOUT_MS / 1000} s (storm time counts the timeout)`,
      );
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
