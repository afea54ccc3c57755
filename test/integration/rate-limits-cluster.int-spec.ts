import { EmbeddedMongoServer } from 'embedded-mongo';
import { Redis } from 'ioredis';
import { RATE_LIMITS_REDIS_ROLE } from '../../src/rate-limits/rate-limits.js';
import { RedisProcess } from '../support/redis-process.js';
import { type ClusterNode, startClusterNode } from '../support/server-process.js';

const PREFIX = 'rl-cluster:';
const OUTAGE_WARNING = `${RATE_LIMITS_REDIS_ROLE}: `;

type Node = ClusterNode;

/**
 * Two real app processes (node dist/main.js) behind one Redis of the suite's own: the sign-in
 * and /ice-servers limits are one budget for both, and with Redis stopped each instance
 * answers from its own memory rather than failing or hanging.
 */
describe('Rate limits across two instances sharing one Redis', () => {
  let redis: RedisProcess;
  /** Looks at what the instances wrote. */
  let inspector: Redis;
  let database: EmbeddedMongoServer;
  let nodeA: Node;
  let nodeB: Node;

  function startNode(): Promise<Node> {
    return startClusterNode({
      DB_URI: database.uri('meet'),
      REDIS_URL: redis.url,
      REDIS_PREFIX: PREFIX,
      // The suite plays several clients through X-Forwarded-For, each with its own budgets.
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_AUTH_PER_MINUTE: '5',
      RATE_LIMIT_LOGIN_FAILURES: '2',
      RATE_LIMIT_ICE_SERVERS_PER_MINUTE: '3',
    });
  }

  function post(node: Node, path: string, body: object, client: string): Promise<Response> {
    return fetch(`${node.url}/api/v1${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client },
      body: JSON.stringify(body),
    });
  }

  let unknownUsers = 0;
  /** A login; by default as a new unknown user, so only the per-address limit applies. */
  function login(
    node: Node,
    client: string,
    username = `nobody${(unknownUsers += 1)}`,
    password = 'password-123',
  ): Promise<Response> {
    return post(node, '/auth/login', { username, password }, client);
  }

  function iceServers(node: Node, client: string): Promise<Response> {
    return fetch(`${node.url}/api/v1/ice-servers`, { headers: { 'X-Forwarded-For': client } });
  }

  beforeAll(async () => {
    redis = await RedisProcess.start();
    inspector = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    inspector.on('error', () => undefined);
    database = await EmbeddedMongoServer.start();
    [nodeA, nodeB] = await Promise.all([startNode(), startNode()]);
  });

  afterAll(async () => {
    // Redis is gone by now: kill rather than wait for a graceful close that cannot reach it.
    nodeA?.server.kill('SIGKILL');
    nodeB?.server.kill('SIGKILL');
    await Promise.all([nodeA?.server.exited, nodeB?.server.exited]);
    await database?.stop();
    inspector?.disconnect();
    await redis?.stop();
  });

  it('counts register and login requests per address once for the cluster', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await login(i % 2 === 0 ? nodeA : nodeB, '203.0.113.1')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(await inspector.get(`${PREFIX}rl:auth:203.0.113.1`)).toBe('6');
    // Another address has its own budget, on either node.
    expect((await login(nodeB, '203.0.113.2')).status).toBe(401);
  });

  it('limits failed logins once for the cluster, even for guesses sent at once to both nodes', async () => {
    const username = `clustered${Date.now()}`;
    const password = 'password-123';
    const registered = await post(
      nodeA,
      '/auth/register',
      { name: 'Clustered', username, password },
      '203.0.113.3',
    );
    expect(registered.status).toBe(201);
    const guesses = await Promise.all(
      [nodeA, nodeB, nodeA, nodeB].map((node, i) =>
        login(node, '203.0.113.4', username, `wrong-${i}`),
      ),
    );
    const statuses = guesses.map((response) => response.status).sort();
    expect(statuses).toEqual([401, 401, 429, 429]);
    expect((await login(nodeB, '203.0.113.4', username, password)).status).toBe(429);
    // From another address the account is not locked.
    expect((await login(nodeB, '203.0.113.5', username, password)).status).toBe(200);
  });

  it('limits /ice-servers once for the cluster', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await iceServers(i % 2 === 0 ? nodeB : nodeA, '2001:db8:7::1')).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    // The same /64 shares the budget.
    expect((await iceServers(nodeA, '2001:db8:7::abcd')).status).toBe(429);
  });

  it('answers from memory while Redis is stopped, and neither instance crashes', async () => {
    await redis.stop();
    const started = Date.now();
    // 203.0.113.1 used up its budget in Redis; each instance now counts in its own memory.
    for (const node of [nodeA, nodeB]) {
      expect((await login(node, '203.0.113.1')).status).toBe(401);
      expect((await iceServers(node, '2001:db8:7::1')).status).toBe(200);
    }
    expect(Date.now() - started).toBeLessThan(5_000);
    // Still limited, per instance: 4 more from the same address on node A, then 429.
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(nodeA, '203.0.113.1')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);

    await new Promise((resolve) => setTimeout(resolve, 3_000));
    for (const node of [nodeA, nodeB]) {
      expect(node.server.child.exitCode).toBeNull();
      expect((await fetch(`${node.url}/health/live`)).status).toBe(200);
      // The outage is logged, throttled: not once per reconnection attempt.
      const output = node.server.stdout() + node.server.stderr();
      const warnings = output.split(OUTAGE_WARNING).length - 1;
      expect(warnings).toBeGreaterThanOrEqual(1);
      expect(warnings).toBeLessThanOrEqual(2);
    }
  });
});
