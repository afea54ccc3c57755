import { EmbeddedMongoServer } from 'embedded-mongo';
import { type LoadBalancer, startLoadBalancer } from '../support/load-balancer.js';
import { RedisProcess } from '../support/redis-process.js';
import { type ClusterNode, startClusterNode } from '../support/server-process.js';
import {
  connectSocket,
  eventually,
  nextEvent,
  record,
  request,
  type TestSocket,
} from '../support/socket-client.js';
import { closedPort } from '../support/test-app.js';

/**
 * A rolling deploy as an operator does it: two instances sharing Redis behind a load balancer,
 * a call spread over both, each instance stopped (SIGTERM) and started again in turn. Its
 * sockets reconnect through the balancer to the instance that stays and recover there
 * (RECONNECT_GRACE, default 30 s) with their ids: nobody sees anybody leave.
 */
describe('A rolling deploy of a cluster during a call', () => {
  let redis: RedisProcess;
  let database: EmbeddedMongoServer;
  let balancer: LoadBalancer;
  const ports: number[] = [];
  const nodes: ClusterNode[] = [];
  const sockets: TestSocket[] = [];
  const trace: string[] = [];

  function startNode(port: number): Promise<ClusterNode> {
    return startClusterNode({
      PORT: String(port),
      DB_URI: database.uri('meet'),
      REDIS_URL: redis.url,
      NODE_HEARTBEAT_SECONDS: '1',
      NODE_DEAD_AFTER_SECONDS: '3',
    }).then((node) => {
      nodes.push(node);
      return node;
    });
  }

  /** `eventually` (10 s); failing, it says what did not happen and what the clients saw. */
  function until(what: string, predicate: () => boolean): Promise<void> {
    return eventually(predicate, 10_000).catch(() => {
      throw new Error(`${what}: not in time; the clients saw:\n${trace.join('\n')}`);
    });
  }

  /** SIGTERM; resolves with its exit code once the process is gone. */
  async function terminate(node: ClusterNode): Promise<number | null> {
    node.server.kill('SIGTERM');
    return (await node.server.exited).code;
  }

  beforeAll(async () => {
    [redis, database] = await Promise.all([RedisProcess.start(), EmbeddedMongoServer.start()]);
    ports.push(await closedPort(), await closedPort());
    balancer = await startLoadBalancer(ports);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const node of nodes) node.server.kill('SIGKILL');
    await Promise.all(nodes.map((node) => node.server.exited));
    await balancer.close();
    await Promise.all([database.stop(), redis.stop()]);
  });

  it('restarting both instances one after the other: no user-left, same ids, the call goes on', async () => {
    let [nodeA, nodeB] = await Promise.all([startNode(ports[0]), startNode(ports[1])]);
    const members: TestSocket[] = [];
    const joined: ReturnType<typeof record<'user-joined'>>[] = [];
    for (let i = 0; i < 4; i++) {
      const socket = await connectSocket(balancer.url, { reconnect: true });
      sockets.push(socket);
      members.push(socket);
      joined.push(record(socket, 'user-joined'));
      expect((await request(socket, 'join-call', 'rolling-room', `Member ${i}`)).ok).toBe(true);
    }
    // Each has heard of the last join (a broadcast may arrive after the joiner's answer).
    await eventually(() => joined.every((seen) => seen.some(([, ids]) => ids.length === 4)));
    for (const seen of joined) seen.length = 0;
    // Spread over both instances by the balancer, in turn: 0 and 2 on A, 1 and 3 on B.
    expect(balancer.handedTo).toEqual(
      new Map([
        [ports[0], 2],
        [ports[1], 2],
      ]),
    );
    const ids = members.map((socket) => socket.id);
    const left = members.map((socket) => record(socket, 'user-left'));
    const reconnecting = members.map((socket) => record(socket, 'participant-reconnecting'));
    const chats = members.map((socket) => record(socket, 'chat-message'));
    const drops = members.map(() => 0);
    members.forEach((socket, i) => {
      const note = (what: string) => trace.push(`${Date.now()} member ${i}: ${what}`);
      socket.on('disconnect', (reason) => {
        drops[i]++;
        note(`disconnect (${reason})`);
      });
      socket.on('connect', () => note(`connect ${socket.id}, recovered: ${socket.recovered}`));
      socket.io.on('reconnect_error', (error) => note(`reconnect error (${error.message})`));
    });

    for (const [round, port] of ports.entries()) {
      const stopping = round === 0 ? nodeA : nodeB;
      const staying = round === 0 ? nodeB : nodeA;
      const firstDrop = new Promise<void>((resolve) =>
        members.forEach((socket) => socket.once('disconnect', () => resolve())),
      );
      const stopped = terminate(stopping);
      if (round === 0) {
        // Chat (from B) while A's two are between instances: they get it when they recover.
        await firstDrop;
        expect((await request(members[1], 'chat-message', 'while you were moving')).ok).toBe(true);
      }
      expect(await stopped).toBe(0);
      expect(stopping.server.stdout() + stopping.server.stderr()).not.toMatch(/Unhandled|ERROR/);
      // The sockets it held (two, then all four) dropped and came back through the balancer,
      // to the instance that stays, with their ids (connection state recovery).
      const moved = round === 0 ? 2 : 4;
      await until(
        'drops',
        () => drops.reduce((sum, count) => sum + count, 0) === (round === 0 ? 2 : 6),
      );
      await until('reconnected', () => members.every((socket) => socket.connected));
      expect(members.map((socket) => socket.id)).toEqual(ids);
      expect(members.filter((socket) => socket.recovered)).toHaveLength(moved);
      expect((await fetch(`${staying.url}/health/ready`)).status).toBe(200);
      // The call goes on: a signal between every pair, a chat message to all.
      for (const from of members) {
        for (const to of members.filter((member) => member !== from)) {
          const relayed = nextEvent(to, 'signal', 5_000);
          expect((await request(from, 'signal', to.id, `{"round":${round}}`)).ok).toBe(true);
          expect(await relayed).toEqual([from.id, `{"round":${round}}`]);
        }
      }
      expect((await request(members[round], 'chat-message', `after restart ${round}`)).ok).toBe(
        true,
      );
      await until('chat', () =>
        chats.every((seen) => seen.some(([text]) => text === `after restart ${round}`)),
      );
      // The stopped instance comes back on its port (a deploy's new version).
      const restarted = await startNode(port);
      if (round === 0) nodeA = restarted;
      else nodeB = restarted;
    }

    // Each got every message once, the one sent while it was moving included.
    for (const seen of chats) {
      expect(seen.map(([text]) => text)).toEqual([
        'while you were moving',
        'after restart 0',
        'after restart 1',
      ]);
    }
    // Nobody left, nobody joined again; peers heard of each move while it lasted.
    expect(left).toEqual(members.map(() => []));
    expect(joined.flat()).toEqual([]);
    expect(reconnecting.flat().length).toBeGreaterThan(0);
    // A newcomer sees the four members, with the ids they started with.
    const newcomer = await connectSocket(balancer.url);
    sockets.push(newcomer);
    const answer = await request(newcomer, 'join-call', 'rolling-room', 'Newcomer');
    expect((answer.participants as { socketId: string }[]).map(({ socketId }) => socketId)).toEqual(
      [...ids, newcomer.id],
    );
    // The cluster counts each moved member once: one room of five, whichever node answers.
    const credentials = { name: 'Op', username: `op${Date.now()}`, password: 'a-long-password-1' };
    const post = (path: string, body: unknown) =>
      fetch(`${nodeA.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('/api/v1/auth/register', credentials)).status).toBe(201);
    const { username, password } = credentials;
    const login = await post('/api/v1/auth/login', { username, password });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    for (const node of [nodeA, nodeB]) {
      const stats = await fetch(`${node.url}/api/v1/rooms/stats`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(await stats.json()).toMatchObject({ rooms: 1, participants: 5 });
    }
    await Promise.all([terminate(nodeA), terminate(nodeB)]);
  });
});
