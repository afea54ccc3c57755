import { Redis } from 'ioredis';
import { type PrivateCluster, startPrivateCluster } from '../support/private-cluster.js';
import type { ClusterNode } from '../support/server-process.js';
import { eventually, record, request, sleep, type TestSocket } from '../support/socket-client.js';

/**
 * A live room's recent chat scaled out: kept in Redis by whichever instance a message goes
 * through, so a late joiner on any instance gets it at once, whether or not the database
 * has stored it yet, or can be reached at all.
 */
describe('Chat history across instances', () => {
  let cluster: PrivateCluster;
  let nodeA: ClusterNode;
  let nodeB: ClusterNode;
  const connect = (node: ClusterNode): Promise<TestSocket> => cluster.connect(node);
  /** Each chat-message's `sentAt` (its fourth argument), in order of arrival. */
  const sentTimes = (socket: TestSocket): unknown[] => {
    const seen: unknown[] = [];
    socket.on('chat-message', (...args: unknown[]) => seen.push(args[3]));
    return seen;
  };

  beforeAll(async () => {
    cluster = await startPrivateCluster({
      RATE_LIMIT_SOCKET_CHAT: '100000',
      CHAT_HISTORY_LIMIT: '50',
    });
    [nodeA, nodeB] = cluster.nodes;
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('keeps only the last CHAT_HISTORY_LIMIT messages of a room in Redis, expiring with the retention', async () => {
    const alice = await connect(nodeA);
    expect((await request(alice, 'join-call', 'capped-room', 'Alice')).ok).toBe(true);
    for (let i = 0; i < 80; i++) alice.emit('chat-message', `m${i}`);
    expect((await request(alice, 'chat-message', 'last')).ok).toBe(true);
    const redis = new Redis(cluster.redis.url);
    try {
      const keys = await redis.keys('*chat*capped-room*');
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        if ((await redis.type(key)) === 'list') expect(await redis.llen(key)).toBe(50);
        const ttl = await redis.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        // At most an hour, whatever CHAT_RETENTION says (rebuilt from the database after).
        expect(ttl).toBeLessThanOrEqual(3600 * 1000);
      }
      const late = await connect(nodeB);
      const replay = record(late, 'chat-message');
      expect((await request(late, 'join-call', 'capped-room', 'Late')).ok).toBe(true);
      await eventually(() => replay.length === 50);
      expect(replay[0][0]).toBe('m31');
      expect(replay[49][0]).toBe('last');
    } finally {
      redis.disconnect();
    }
  });

  it('gives a late joiner on another instance every earlier message at once, once, in order', async () => {
    const alice = await connect(nodeA);
    const bob = await connect(nodeB);
    expect((await request(alice, 'join-call', 'history-room', 'Alice')).ok).toBe(true);
    expect((await request(bob, 'join-call', 'history-room', 'Bob')).ok).toBe(true);
    const liveTimes = sentTimes(alice);
    // Sent through both instances, the last ones just before the late joiner arrives.
    const sent: [string, string][] = [];
    for (let i = 0; i < 30; i++) {
      const [socket, name] = i % 3 === 2 ? [bob, 'Bob'] : [alice, 'Alice'];
      expect((await request(socket, 'chat-message', `message ${i}`)).ok).toBe(true);
      sent.push([`message ${i}`, name]);
    }
    for (const node of [nodeB, nodeA]) {
      const late = await connect(node);
      const replay = record(late, 'chat-message');
      const replayTimes = sentTimes(late);
      expect((await request(late, 'join-call', 'history-room', 'Late')).ok).toBe(true);
      await sleep(300);
      expect(replay.map(([text, sender]) => [text, sender])).toEqual(sent);
      // Each message says when it was sent, the same live and replayed, on either instance.
      expect(liveTimes).toHaveLength(sent.length);
      expect(liveTimes.every((time) => typeof time === 'number')).toBe(true);
      expect(replayTimes).toEqual(liveTimes);
      late.close();
    }

    // The stored history is not needed while the room is live: with the database down, a
    // late joiner still gets it, and at once (a database read would wait for its time limit).
    await cluster.database.stop();
    expect((await request(alice, 'chat-message', 'while the database is down')).ok).toBe(true);
    sent.push(['while the database is down', 'Alice']);
    const late = await connect(nodeB);
    const replay = record(late, 'chat-message');
    const started = Date.now();
    expect((await request(late, 'join-call', 'history-room', 'Late')).ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(900);
    await eventually(() => replay.length >= sent.length);
    await sleep(300);
    expect(replay.map(([text, sender]) => [text, sender])).toEqual(sent);
  });
});
