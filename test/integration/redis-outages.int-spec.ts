import { EmbeddedMongoServer } from 'embedded-mongo';
import { RedisProcess } from '../support/redis-process.js';
import { type ClusterNode, startClusterNode } from '../support/server-process.js';
import {
  connectSocket,
  eventually,
  nextEvent,
  record,
  request,
  sleep,
  type TestSocket,
} from '../support/socket-client.js';

/** What a process prints when an error escaped every handler. */
const ESCAPED_ERRORS = /Unhandled error event|unhandled promise rejection/i;

/**
 * Two app processes on a Redis that the test stops, hangs, or restarts with or without its
 * data: a join answers `unavailable` promptly however long the outage lasts; when Redis is
 * back, each instance publishes its participants as they are now (at once, not at its next
 * heartbeat), and the departures Redis could not be told of are announced once, leaving no
 * ghost.
 */
describe('A cluster through Redis outages: answers, re-publication, no ghost', () => {
  let database: EmbeddedMongoServer;
  const nodes: ClusterNode[] = [];
  const sockets: TestSocket[] = [];

  async function startNodes(url: string, env: Record<string, string>): Promise<ClusterNode[]> {
    const started = await Promise.all(
      [0, 1].map(() =>
        startClusterNode({
          DB_URI: database.uri('meet'),
          REDIS_URL: url,
          LOG_LEVEL: 'warn',
          ...env,
        }),
      ),
    );
    nodes.push(...started);
    return started;
  }

  async function connect(node: ClusterNode): Promise<TestSocket> {
    const socket = await connectSocket(node.url);
    sockets.push(socket);
    return socket;
  }

  async function stopNodes(): Promise<void> {
    for (const socket of sockets.splice(0)) socket.close();
    const stopping = nodes.splice(0);
    for (const node of stopping) node.server.kill('SIGTERM');
    await Promise.all(stopping.map((node) => node.server.exited));
    for (const node of stopping) {
      expect(node.server.stdout() + node.server.stderr()).not.toMatch(ESCAPED_ERRORS);
    }
  }

  /** The ids a newcomer sees when it joins (it leaves again), once it sees `count` of them. */
  async function membersSeenBy(
    newcomer: TestSocket,
    roomId: string,
    count: number,
    timeoutMs: number,
  ): Promise<{ socketId: string; handRaised: boolean; media: unknown; role: string }[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await request(newcomer, 'join-call', roomId, 'Newcomer');
      if (answer.ok) {
        const seen = answer.participants as {
          socketId: string;
          handRaised: boolean;
          media: unknown;
          role: string;
        }[];
        if (seen.length === count || Date.now() > deadline) return seen;
        await request(newcomer, 'leave-call');
      }
      if (Date.now() > deadline) throw new Error(`join still failing: ${JSON.stringify(answer)}`);
      await sleep(200);
    }
  }

  beforeAll(async () => {
    database = await EmbeddedMongoServer.start();
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const node of nodes) node.server.kill('SIGKILL');
    await Promise.all(nodes.map((node) => node.server.exited));
    await database.stop();
  });

  it('Redis down for a while: a join answers unavailable in under 2 s throughout; /health/ready names redis at the top level', async () => {
    const redis = await RedisProcess.start();
    try {
      const [node] = await startNodes(redis.url, { NODE_HEARTBEAT_SECONDS: '1' });
      const ok = await (await fetch(`${node.url}/health/ready`)).json();
      expect(ok).toMatchObject({ status: 'ok', database: 'up', redis: 'up' });
      const socket = await connect(node);
      await redis.stop();
      const ready = await fetch(`${node.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({
        error: 'redis unavailable',
        status: 503,
        database: 'up',
        redis: 'down',
        checks: { database: 'up', redis: 'down' },
      });
      // Early in the outage and well into it (ioredis' reconnection delays grow meanwhile).
      for (const wait of [0, 6_000, 7_000]) {
        await sleep(wait);
        const started = Date.now();
        const refused = await request(socket, 'join-call', 'outage-room', 'Late');
        expect(refused.ok ? undefined : refused.error.code).toBe('unavailable');
        expect(Date.now() - started).toBeLessThan(2_000);
      }
      await redis.restart();
      // Back within about a second of Redis.
      const deadline = Date.now() + 4_000;
      while (!(await request(socket, 'join-call', 'outage-room', 'Late')).ok) {
        expect(Date.now()).toBeLessThan(deadline);
        await sleep(100);
      }
      await stopNodes();
    } finally {
      await redis.stop();
    }
  }, 60_000);

  it('Redis restarted empty right after changes: everyone is published again at once, as they are now', async () => {
    const redis = await RedisProcess.start();
    try {
      // A heartbeat far away: only what each instance keeps current (and publishes again
      // when its connection is back) can bring the room back.
      const [nodeA, nodeB] = await startNodes(redis.url, {
        NODE_HEARTBEAT_SECONDS: '30',
        NODE_DEAD_AFTER_SECONDS: '60',
      });
      const alice = await connect(nodeA);
      const bob = await connect(nodeB);
      expect((await request(alice, 'join-call', 'fresh-room', 'Alice')).ok).toBe(true);
      expect((await request(bob, 'join-call', 'fresh-room', 'Bob')).ok).toBe(true);
      const media = { audio: true, video: false, screen: true };
      expect((await request(alice, 'media-state', media)).ok).toBe(true);
      expect((await request(bob, 'raise-hand', true)).ok).toBe(true);
      const left = [record(alice, 'user-left'), record(bob, 'user-left')];

      await redis.stop();
      await redis.restart();
      const newcomer = await connect(nodeB);
      const seen = await membersSeenBy(newcomer, 'fresh-room', 3, 5_000);
      expect(seen.map(({ socketId }) => socketId)).toEqual([alice.id, bob.id, newcomer.id]);
      expect(seen[0].media).toEqual(media);
      expect(seen[1].handRaised).toBe(true);
      const across = nextEvent(alice, 'signal', 5_000);
      expect((await request(bob, 'signal', alice.id, '{"sdp":"after restart"}')).ok).toBe(true);
      expect(await across).toEqual([bob.id, '{"sdp":"after restart"}']);
      expect(left.flat().filter(([id]) => id === alice.id || id === bob.id)).toEqual([]);
      await stopNodes();
    } finally {
      await redis.stop();
    }
  }, 60_000);

  it('Redis hung: joins answer unavailable promptly, the instance goes on; a departure meanwhile is announced once when it resumes', async () => {
    const redis = await RedisProcess.start({ persistent: true });
    try {
      const [nodeA, nodeB] = await startNodes(redis.url, {
        NODE_HEARTBEAT_SECONDS: '1',
        NODE_DEAD_AFTER_SECONDS: '30',
        RECONNECT_GRACE: '0',
      });
      const alice = await connect(nodeA);
      const bob = await connect(nodeB);
      const carol = await connect(nodeA);
      for (const [socket, name] of [
        [alice, 'Alice'],
        [bob, 'Bob'],
        [carol, 'Carol'],
      ] as const) {
        expect((await request(socket, 'join-call', 'hung-room', name)).ok).toBe(true);
      }
      const carolId = carol.id;
      const left = [record(alice, 'user-left'), record(bob, 'user-left')];
      await sleep(1_500);

      redis.hang();
      try {
        const newcomer = await connect(nodeA);
        const started = Date.now();
        const refused = await request(newcomer, 'join-call', 'hung-room', 'Newcomer');
        expect(refused.ok ? undefined : refused.error.code).toBe('unavailable');
        expect(Date.now() - started).toBeLessThan(2_000);
        // On one instance the call goes on.
        const relayed = nextEvent(alice, 'signal', 5_000);
        expect((await request(carol, 'signal', alice.id, '{"sdp":"hung"}')).ok).toBe(true);
        expect(await relayed).toEqual([carol.id, '{"sdp":"hung"}']);
        carol.close();
        await sleep(2_000);
      } finally {
        redis.resume();
      }
      await eventually(() => left.every((events) => events.some(([id]) => id === carolId)), 8_000);
      await sleep(3_000);
      // Carol, once; not the newcomer whose refused join Redis ran late (nobody saw it join).
      for (const events of left) expect(events.map(([id]) => id)).toEqual([carolId]);
      const newcomer = await connect(nodeB);
      const seen = await membersSeenBy(newcomer, 'hung-room', 3, 5_000);
      expect(seen.map(({ socketId }) => socketId)).toEqual([alice.id, bob.id, newcomer.id]);
      await stopNodes();
    } finally {
      await redis.dispose();
    }
  }, 60_000);

  it('Redis restarted with its data: a participant who left during the outage leaves no ghost and is announced once', async () => {
    const redis = await RedisProcess.start({ persistent: true });
    try {
      const [nodeA, nodeB] = await startNodes(redis.url, {
        NODE_HEARTBEAT_SECONDS: '1',
        NODE_DEAD_AFTER_SECONDS: '30',
        RECONNECT_GRACE: '0',
      });
      const alice = await connect(nodeA);
      const bob = await connect(nodeB);
      const carol = await connect(nodeA);
      for (const [socket, name] of [
        [alice, 'Alice'],
        [bob, 'Bob'],
        [carol, 'Carol'],
      ] as const) {
        expect((await request(socket, 'join-call', 'kept-room', name)).ok).toBe(true);
      }
      const carolId = carol.id;
      const left = [record(alice, 'user-left'), record(bob, 'user-left')];
      await sleep(1_500);

      await redis.stop();
      carol.close();
      await sleep(1_000);
      await redis.restart();
      await eventually(() => left.every((events) => events.some(([id]) => id === carolId)), 8_000);
      await sleep(3_000);
      for (const events of left) expect(events.map(([id]) => id)).toEqual([carolId]);
      const newcomer = await connect(nodeB);
      const seen = await membersSeenBy(newcomer, 'kept-room', 3, 5_000);
      expect(seen.map(({ socketId }) => socketId)).toEqual([alice.id, bob.id, newcomer.id]);
      await stopNodes();
    } finally {
      await redis.dispose();
    }
  }, 60_000);
});
