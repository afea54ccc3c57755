import { EmbeddedMongoServer } from 'embedded-mongo';
import { RedisProcess } from './redis-process.js';
import { type ClusterNode, startClusterNode } from './server-process.js';
import { connectSocket, type TestSocket } from './socket-client.js';

/**
 * Two app processes sharing a Redis and a database of the test's own (so what the test
 * counts or stops in them is theirs alone).
 */
export interface PrivateCluster {
  redis: RedisProcess;
  database: EmbeddedMongoServer;
  nodes: [ClusterNode, ClusterNode];
  /** A guest socket (or a signed-in one, with `token`) on a node, closed by stop(). */
  connect: (node: ClusterNode, token?: string) => Promise<TestSocket>;
  /** Closes the sockets, stops the nodes (SIGTERM), the database (if still running), Redis. */
  stop: () => Promise<void>;
}

export async function startPrivateCluster(env: Record<string, string>): Promise<PrivateCluster> {
  const redis = await RedisProcess.start();
  const database = await EmbeddedMongoServer.start();
  const nodeEnv = { DB_URI: database.uri('meet'), REDIS_URL: redis.url, ...env };
  const nodes: [ClusterNode, ClusterNode] = await Promise.all([
    startClusterNode(nodeEnv),
    startClusterNode(nodeEnv),
  ]);
  const sockets: TestSocket[] = [];
  return {
    redis,
    database,
    nodes,
    connect: async (node, token) => {
      const socket = await connectSocket(node.url, token === undefined ? {} : { token });
      sockets.push(socket);
      return socket;
    },
    stop: async () => {
      for (const socket of sockets) socket.close();
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
