import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisClient, isRedisUnavailableError } from '../../src/common/redis-client.js';
import {
  RedisRoomRegistry,
  registryClientOptions,
} from '../../src/signaling/rooms/redis-room-registry.js';
import { RedisProcess } from '../support/redis-process.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once the client is ready (it reconnects by itself), or throws after `ms`. */
async function ready(client: Redis, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (client.status !== 'ready') {
    if (Date.now() > deadline) throw new Error(`client still ${client.status}`);
    await sleep(20);
  }
}

/** How long a promise takes to settle, and its error (undefined when it resolved). */
async function timed(promise: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  try {
    await promise;
    return { ms: Date.now() - started, error: undefined };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}

/** The pid of a Redis server of the test's own (to SIGSTOP it: a hung Redis). */
async function serverPid(redis: RedisProcess): Promise<number> {
  const probe = new Redis(redis.url);
  try {
    const info = await probe.info('server');
    return Number(/process_id:(\d+)/.exec(info)?.[1]);
  } finally {
    probe.disconnect();
  }
}

/**
 * The Redis RoomRegistry through Redis outages, on a Redis of the test's own that it stops,
 * restarts empty and hangs: what each instance keeps of its participants, how fast commands
 * fail, and how it settles departures Redis could not be told of.
 */
describe('RedisRoomRegistry through Redis outages', () => {
  let redis: RedisProcess;
  const clients: Redis[] = [];

  function registry(): RedisRoomRegistry {
    const client = createRedisClient(redis.url, 'test registry', registryClientOptions());
    clients.push(client);
    return new RedisRoomRegistry(client, `t${randomBytes(3).toString('hex')}:`);
  }

  function pair(): [RedisRoomRegistry, RedisRoomRegistry] {
    const prefix = `t${randomBytes(3).toString('hex')}:`;
    return [0, 1].map(() => {
      const client = createRedisClient(redis.url, 'test registry', registryClientOptions());
      clients.push(client);
      return new RedisRoomRegistry(client, prefix);
    }) as [RedisRoomRegistry, RedisRoomRegistry];
  }

  beforeAll(async () => {
    redis = await RedisProcess.start();
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await redis.stop();
  });

  it('publishes again after Redis restarts empty what changed since the last heartbeat', async () => {
    const [nodeA, nodeB] = pair();
    await Promise.all(clients.slice(-2).map((client) => ready(client)));
    await nodeA.join({ socketId: 'a1', roomId: 'r', name: 'A1' }, 16);
    await nodeA.join({ socketId: 'a3', roomId: 'r', name: 'A3' }, 16);
    await nodeB.join({ socketId: 'b1', roomId: 'r', name: 'B1' }, 16);
    await Promise.all([nodeA.heartbeat(), nodeB.heartbeat()]);
    // After the last heartbeat: a join, changes of state, a drop.
    await nodeA.join({ socketId: 'a2', roomId: 'r', name: 'A2' }, 16);
    await nodeA.setMedia('a1', { audio: true, video: false, screen: true });
    await nodeA.setHandRaised('a1', true);
    await nodeA.setRole('a1', 'cohost');
    await nodeA.rename('a2', 'A2 (guest)');
    const until = Date.now() + 60_000;
    expect((await nodeA.markAway('a3', until))?.away).toBe(true);
    await nodeB.setMedia('b1', { audio: false, video: true, screen: false });

    await redis.stop();
    await redis.restart();
    await Promise.all(clients.slice(-2).map((client) => ready(client)));
    // a3's socket dropped (it is not here) but its grace window runs: it keeps its place.
    const [restoredA, restoredB] = await Promise.all([
      nodeA.restoreIfLost((socketId) => socketId !== 'a3'),
      nodeB.restoreIfLost(() => true),
    ]);
    expect(restoredA.departed).toEqual([]);
    expect(restoredA.restored.map(({ socketId }) => socketId).sort()).toEqual(['a1', 'a2', 'a3']);
    expect(restoredB.restored.map(({ socketId }) => socketId)).toEqual(['b1']);
    const members = await nodeB.participants('r');
    expect(members.map(({ socketId }) => socketId)).toEqual(['a1', 'a3', 'b1', 'a2']);
    const [a1, a3, b1, a2] = members;
    expect(a1).toMatchObject({
      media: { audio: true, video: false, screen: true },
      handRaised: true,
      role: 'cohost',
    });
    expect(a2.name).toBe('A2 (guest)');
    expect(b1.media).toEqual({ audio: false, video: true, screen: false });
    expect(a3.lastSeenAt).toBeGreaterThan(0);
    // Still away: it leaves when its time runs out, not before.
    expect(await nodeB.removeExpiredAway(Date.now())).toEqual([]);
    expect((await nodeB.removeExpiredAway(until)).map(({ socketId }) => socketId)).toEqual(['a3']);
  });

  it('fails fast, as unavailable, however long Redis stays down, and is back within a second or two', async () => {
    const nodeA = registry();
    await ready(clients[clients.length - 1]);
    await redis.stop();
    try {
      for (const wait of [0, 6_000, 6_000]) {
        await sleep(wait);
        const { ms, error } = await timed(
          nodeA.join({ socketId: `s${wait}`, roomId: 'r', name: 'S' }, 16),
        );
        expect(isRedisUnavailableError(error)).toBe(true);
        expect(ms).toBeLessThan(500);
      }
    } finally {
      await redis.restart();
    }
    const restarted = Date.now();
    await ready(clients[clients.length - 1], 3_000);
    expect(Date.now() - restarted).toBeLessThan(2_000);
    await nodeA.join({ socketId: 'back', roomId: 'r', name: 'Back' }, 16);
  }, 30_000);

  it('a hung Redis: commands fail within about a second, as unavailable', async () => {
    const nodeA = registry();
    await ready(clients[clients.length - 1]);
    const pid = await serverPid(redis);
    process.kill(pid, 'SIGSTOP');
    try {
      const { ms, error } = await timed(
        nodeA.join({ socketId: 'hung', roomId: 'r', name: 'H' }, 16),
      );
      expect(isRedisUnavailableError(error)).toBe(true);
      expect(ms).toBeLessThan(2_000);
      expect(await nodeA.reachable()).toBe(false);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(await nodeA.reachable()).toBe(true);
  });

  it('reconciles Redis with its own sockets: departures it could not record are settled and reported once', async () => {
    const [nodeA, nodeB] = pair();
    const [clientA] = clients.slice(-2);
    await Promise.all(clients.slice(-2).map((client) => ready(client)));
    for (const id of ['a1', 'late', 'lost', 'dropped1', 'dropped2']) {
      await nodeA.join({ socketId: id, roomId: 'r', name: id }, 16);
    }
    await nodeB.join({ socketId: 'b1', roomId: 'r', name: 'B1' }, 16);
    await Promise.all([nodeA.heartbeat(), nodeB.heartbeat()]);

    // A LEAVE Redis runs only after it timed out here (a hung Redis)...
    const pid = await serverPid(redis);
    process.kill(pid, 'SIGSTOP');
    const late = await timed(nodeA.leave('late'));
    process.kill(pid, 'SIGCONT');
    expect(isRedisUnavailableError(late.error)).toBe(true);
    // ...and one that never reached it (a connection cut).
    clientA.disconnect();
    const lost = await timed(nodeA.leave('lost'));
    expect(isRedisUnavailableError(lost.error)).toBe(true);
    while (clientA.status !== 'end') await sleep(10);
    await clientA.connect();
    await ready(clientA);
    // Two sockets that dropped while their drop could not be recorded; 'a1' is still here.
    const gone = new Set(['late', 'lost', 'dropped1', 'dropped2']);
    const isStillHere = (socketId: string): boolean => !gone.has(socketId);

    await nodeA.heartbeat();
    const first = await nodeA.reconcile(isStillHere, 0);
    expect(first.map(({ socketId }) => socketId).sort()).toEqual(['late', 'lost']);
    expect(first.find(({ socketId }) => socketId === 'late')?.name).toBe('late');
    await sleep(1_100);
    await nodeA.heartbeat();
    // Found gone twice, a second apart: removed (no grace window here).
    const second = await nodeA.reconcile(isStillHere, 0);
    expect(second.map(({ socketId }) => socketId).sort()).toEqual(['dropped1', 'dropped2']);
    expect((await nodeB.participants('r')).map(({ socketId }) => socketId)).toEqual(['a1', 'b1']);
    // Nothing is reported twice.
    await sleep(1_100);
    await nodeA.heartbeat();
    expect(await nodeA.reconcile(isStillHere, 0)).toEqual([]);
  });

  it('reconcile keeps a participant in its grace window away, then it expires like any drop', async () => {
    const [nodeA, nodeB] = pair();
    await Promise.all(clients.slice(-2).map((client) => ready(client)));
    await nodeA.join({ socketId: 'a1', roomId: 'r', name: 'A1' }, 16);
    await nodeA.join({ socketId: 'gone', roomId: 'r', name: 'Gone' }, 16);
    await nodeA.heartbeat();
    const isStillHere = (socketId: string): boolean => socketId !== 'gone';
    // A join or a drop in progress is not acted on: only what is found twice.
    expect(await nodeA.reconcile(isStillHere, 60_000)).toEqual([]);
    expect(await nodeA.reconcile(isStillHere, 60_000)).toEqual([]);
    expect(await nodeB.removeExpiredAway(Date.now() + 120_000)).toEqual([]);
    await sleep(1_100);
    expect(await nodeA.reconcile(isStillHere, 60_000)).toEqual([]);
    const [a1, gone] = await nodeB.participants('r');
    expect(a1.lastSeenAt).toBeUndefined();
    expect(gone.lastSeenAt).toBeGreaterThan(0);
    expect(await nodeB.removeExpiredAway(Date.now())).toEqual([]);
    expect(
      (await nodeB.removeExpiredAway(Date.now() + 60_000)).map(({ socketId }) => socketId),
    ).toEqual(['gone']);
  });
});
