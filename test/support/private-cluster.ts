import { EmbeddedMongoServer } from 'embedded-mongo';
import { RedisProcess } from './redis-process.js';
import { type ClusterNode, startClusterNode } from './server-process.js';

/**
 * Two app processes sharing a Redis and a database of the test's own (so what the test
 * counts or stops in them is theirs alone).
 */
export interface PrivateCluster {
  redis: RedisProcess;
  database: EmbeddedMongoServer;
  nodes: [ClusterNode, ClusterNode];
  /** Stops the nodes (SIGTERM), then the database (if still running) and Redis. */
  stop(): Promise<void>;
}

export async function startPrivateCluster(env: Record<string, string>): Promise<PrivateCluster> {
  const redis = await RedisProcess.start();
  const database = await EmbeddedMongoServer.start();
  const nodeEnv = { DB_URI: database.uri('meet'), REDIS_URL: redis.url, ...env };
  const nodes: [ClusterNode, ClusterNode] = await Promise.all([
    startClusterNode(nodeEnv),
    startClusterNode(nodeEnv),
  ]);
  return {
    redis,
    database,
    nodes,
    stop: async () => {
      for (const node of nodes) node.server.kill('SIGTERM');
      await Promise.all(nodes.map((node) => node.server.exited));
      await database.stop().catch(() => undefined);
      await redis.stop();
    },
  };
}

/** A signed-in host (registered through `baseUrl`) and a meeting of theirs. */
export async function hostWithMeeting(
  baseUrl: string,
  username: string,
): Promise<{ token: string; code: string }> {
  const post = (path: string, body: object, token?: string): Promise<Response> =>
    fetch(`${baseUrl}/api/v1${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  await post('/auth/register', { name: 'Host', username, password: 'password-123' });
  const { token } = (await (
    await post('/auth/login', { username, password: 'password-123' })
  ).json()) as { token: string };
  const { code } = (await (await post('/meetings', {}, token)).json()) as { code: string };
  return { token, code };
}
