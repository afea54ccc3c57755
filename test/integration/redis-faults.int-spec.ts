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

type Node = ClusterNode;

/** What a process prints when an error escaped every handler. */
const ESCAPED_ERRORS = /Unhandled error event|Connection is closed|unhandled promise rejection/i;

/**
 * Real app processes on a Redis of the test's own, which the test stops: an outage must never
 * take an instance down or hold its shutdown, and a stopping instance must tell the rest of
 * the cluster that its participants left.
 */
describe('A cluster through Redis outages and shutdowns', () => {
  let redis: RedisProcess;
  let database: EmbeddedMongoServer;
  const nodes: Node[] = [];
  const sockets: TestSocket[] = [];

  async function startNode(
    until: 'ready' | 'live' = 'ready',
    env: Record<string, string> = {},
  ): Promise<Node> {
    const node = await startClusterNode(
      {
        DB_URI: database.uri('meet'),
        REDIS_URL: redis.url,
        NODE_HEARTBEAT_SECONDS: '1',
        NODE_DEAD_AFTER_SECONDS: '3',
        ...env,
      },
      until,
    );
    nodes.push(node);
    return node;
  }

  async function connect(node: Node, token?: string): Promise<TestSocket> {
    const socket = await connectSocket(node.url, token === undefined ? {} : { token });
    sockets.push(socket);
    return socket;
  }

  async function signIn(node: Node): Promise<string> {
    const username = `outage${Date.now()}`;
    const credentials = { name: 'Ada', username, password: 'a-long-password-1' };
    const post = (path: string, body: unknown) =>
      fetch(`${node.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('/api/v1/auth/register', credentials)).status).toBe(201);
    const login = await post('/api/v1/auth/login', { username, password: credentials.password });
    expect(login.status).toBe(200);
    return ((await login.json()) as { token: string }).token;
  }

  /** SIGTERM, then the exit status and how long it took. */
  async function terminate(node: Node): Promise<{ code: number | null; ms: number }> {
    const started = Date.now();
    node.server.kill('SIGTERM');
    const { code } = await node.server.exited;
    return { code, ms: Date.now() - started };
  }

  beforeAll(async () => {
    [redis, database] = await Promise.all([RedisProcess.start(), EmbeddedMongoServer.start()]);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const node of nodes) node.server.kill('SIGKILL');
    await Promise.all(nodes.map((node) => node.server.exited));
    await Promise.all([database.stop(), redis.stop()]);
  });

  it('SIGTERM to one instance without a grace window: the other instance hears its participants leave; exit 0', async () => {
    const noGrace = { RECONNECT_GRACE: '0' };
    const [nodeA, nodeB] = await Promise.all([
      startNode('ready', noGrace),
      startNode('ready', noGrace),
    ]);
    const alice = await connect(nodeA);
    const bob = await connect(nodeB);
    expect((await request(alice, 'join-call', 'draining-room', 'Alice')).ok).toBe(true);
    expect((await request(bob, 'join-call', 'draining-room', 'Bob')).ok).toBe(true);
    const aliceId = alice.id;
    const aliceLeft = nextEvent(bob, 'user-left', 9_000);
    const aliceDisconnected = new Promise<string>((resolve) =>
      alice.once('disconnect', (reason) => resolve(reason)),
    );

    const exit = await terminate(nodeA);
    expect((await aliceLeft)[0]).toBe(aliceId);
    // A closed transport, which socket.io-client answers by reconnecting (elsewhere), not an
    // "io server disconnect", after which it would stay offline.
    expect(await aliceDisconnected).toBe('transport close');
    expect(exit.code).toBe(0);
    expect(exit.ms).toBeLessThan(10_000);
    expect(nodeA.server.stdout() + nodeA.server.stderr()).not.toMatch(ESCAPED_ERRORS);
    // The survivor's view of the room is current: only Bob is left.
    const participants = await request(bob, 'join-call', 'draining-room', 'Bob');
    expect(
      (participants.participants as { socketId: string }[]).map(({ socketId }) => socketId),
    ).toEqual([bob.id]);
    nodeB.server.kill('SIGTERM');
    expect((await nodeB.server.exited).code).toBe(0);
  });

  it('Redis down: a sign-out still ends its sockets here; instances stay up and stop cleanly', async () => {
    const [node, other] = await Promise.all([startNode(), startNode()]);
    const token = await signIn(node);
    const signedIn = await connect(node, token);
    const guest = await connect(node);
    expect((await request(signedIn, 'join-call', 'outage-room')).ok).toBe(true);
    expect((await request(guest, 'join-call', 'outage-room', 'Guest')).ok).toBe(true);
    // A heartbeat (every second here) keeps this instance's view of its participants.
    await sleep(1_500);

    await redis.stop();
    // A load balancer can tell what is wrong; a join answers promptly that it cannot be done now.
    const ready = await fetch(`${node.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 503,
      checks: { database: 'up', redis: 'down' },
    });
    const newcomer = await connect(node);
    const started = Date.now();
    const refused = await request(newcomer, 'join-call', 'outage-room', 'Newcomer');
    expect(refused.ok ? undefined : refused.error.code).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(2_000);
    // Two participants on this instance still reach each other.
    const relayed = nextEvent(signedIn, 'signal', 5_000);
    expect((await request(guest, 'signal', signedIn.id, '{"sdp":"during the outage"}')).ok).toBe(
      true,
    );
    expect(await relayed).toEqual([guest.id, '{"sdp":"during the outage"}']);
    // ...and chat, under the names they joined with.
    const chatted = nextEvent(signedIn, 'chat-message', 5_000);
    expect((await request(guest, 'chat-message', 'still talking')).ok).toBe(true);
    expect(await chatted).toEqual(['still talking', 'Guest', guest.id]);
    const ended = nextEvent(signedIn, 'session-ended', 5_000);
    const logout = await fetch(`${node.url}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(logout.status).toBe(204);
    expect(await ended).toEqual(['signed-out']);
    await eventually(() => !signedIn.connected);

    // An unhandled publish failure used to kill the process about 8 s later.
    await sleep(10_000);
    expect((await fetch(`${node.url}/health/live`)).status).toBe(200);
    expect(guest.connected).toBe(true);
    for (const { server } of [node, other]) {
      expect(server.stdout() + server.stderr()).not.toMatch(ESCAPED_ERRORS);
    }

    // Both instances of the cluster stop within the deadline, Redis still down.
    const exits = await Promise.all([terminate(node), terminate(other)]);
    for (const exit of exits) {
      expect(exit.code).toBe(0);
      expect(exit.ms).toBeLessThan(10_000);
    }
    await redis.restart();
  });

  it('Redis restarted empty: each instance publishes its participants again; the call goes on without anyone rejoining', async () => {
    const [nodeA, nodeB] = await Promise.all([startNode(), startNode()]);
    const alice = await connect(nodeA);
    const bob = await connect(nodeB);
    expect((await request(alice, 'join-call', 'restart-room', 'Alice')).ok).toBe(true);
    expect((await request(bob, 'join-call', 'restart-room', 'Bob')).ok).toBe(true);
    const left = [record(alice, 'user-left'), record(bob, 'user-left')];
    const joined = [record(alice, 'user-joined'), record(bob, 'user-joined')];
    const carol = await connect(nodeA);
    expect((await request(carol, 'join-call', 'restart-room', 'Carol')).ok).toBe(true);
    const carolId = carol.id;
    await eventually(() => joined.every((events) => events.some(([id]) => id === carolId)));
    for (const events of joined) events.length = 0;
    // Heartbeats (every second here) keep each instance's copy of its participants.
    await sleep(1_500);

    await redis.stop();
    // Carol leaves while Redis is down: nobody can be told yet.
    carol.close();
    await sleep(500);
    await redis.restart();
    // Within a few heartbeats, Redis knows both again: a newcomer sees everyone...
    const newcomer = await connect(nodeB);
    const deadline = Date.now() + 8_000;
    let seen: string[] = [];
    for (;;) {
      const answer = await request(newcomer, 'join-call', 'restart-room', 'Newcomer');
      if (answer.ok) {
        seen = (answer.participants as { socketId: string }[]).map(({ socketId }) => socketId);
        if (seen.length === 3) break;
        await request(newcomer, 'leave-call');
      }
      expect(Date.now()).toBeLessThan(deadline);
      await sleep(300);
    }
    expect(seen).toEqual([alice.id, bob.id, newcomer.id]);
    // ...and Alice and Bob, on different instances, reach each other as before.
    const across = nextEvent(alice, 'signal', 5_000);
    expect((await request(bob, 'signal', alice.id, '{"sdp":"after restart"}')).ok).toBe(true);
    expect(await across).toEqual([bob.id, '{"sdp":"after restart"}']);
    const chat = nextEvent(bob, 'chat-message', 5_000);
    expect((await request(alice, 'chat-message', 'still here')).ok).toBe(true);
    expect((await chat)[0]).toBe('still here');
    // Both heard Carol leave, once, after Redis came back (each instance tells its own
    // members at its next heartbeat, two more of which pass with no repeat); neither Alice
    // nor Bob left; the only other joins and departures announced are the newcomer's (its
    // tries while the room was still being published again).
    await eventually(() => left.every((events) => events.some(([id]) => id === carolId)), 5_000);
    await sleep(2_500);
    for (const events of left) {
      expect(events.filter(([leaver]) => leaver !== newcomer.id).map(([id]) => id)).toEqual([
        carolId,
      ]);
    }
    for (const events of joined) {
      expect(events.every(([joiner]) => joiner === newcomer.id)).toBe(true);
    }
    for (const { server } of [nodeA, nodeB]) {
      expect(server.stdout() + server.stderr()).not.toMatch(ESCAPED_ERRORS);
    }
    await Promise.all([terminate(nodeA), terminate(nodeB)]);
  });

  it('an instance started while Redis is down joins the cluster once Redis is back', async () => {
    await redis.stop();
    // Serving (live), but not ready while Redis is away: a load balancer sends it nobody yet.
    const late = await startNode('live');
    expect((await fetch(`${late.url}/health/ready`)).status).toBe(503);
    // ioredis gives up a queued command after 20 reconnection attempts (about 10 s): the
    // adapter's subscriptions must outlive that.
    await sleep(12_000);
    await redis.restart();
    const other = await startNode();
    const onLate = await connect(late);
    const onOther = await connect(other);
    // Its registry connection comes back within a reconnection interval (at most 2 s).
    const deadline = Date.now() + 10_000;
    while (!(await request(onLate, 'join-call', 'after-outage', 'Late')).ok) {
      expect(Date.now()).toBeLessThan(deadline);
      await sleep(200);
    }
    expect((await request(onOther, 'join-call', 'after-outage', 'Other')).ok).toBe(true);
    const signal = nextEvent(onLate, 'signal', 5_000);
    expect((await request(onOther, 'signal', onLate.id, '{"sdp":"across"}')).ok).toBe(true);
    expect(await signal).toEqual([onOther.id, '{"sdp":"across"}']);
    expect(late.server.stdout() + late.server.stderr()).not.toMatch(ESCAPED_ERRORS);
  });
});
