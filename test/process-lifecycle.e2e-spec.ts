import { readFileSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { resolve } from 'node:path';
import { EmbeddedMongoServer } from 'embedded-mongo';
import { spawnServer, type ServerProcess } from './support/server-process.js';
import { closedPort } from './support/test-app.js';

const running: ServerProcess[] = [];
afterEach(() => {
  for (const server of running.splice(0)) server.kill();
});

async function start(
  env: Record<string, string>,
): Promise<{ server: ServerProcess; port: number }> {
  const port = await closedPort();
  const server = spawnServer({
    PORT: String(port),
    DB_URI: `mongodb://127.0.0.1:${await closedPort()}/unreachable`,
    ...env,
  });
  running.push(server);
  await server.waitFor(`http://127.0.0.1:${port}/health/live`);
  return { server, port };
}

describe('configuration validation at start-up (node dist/main.js)', () => {
  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['BCRYPT_ROUNDS', { BCRYPT_ROUNDS: '3' }],
    ['JWT_EXPIRES_IN', { JWT_EXPIRES_IN: 'forever' }],
    // Accepted once, then every login answered 500 (its expiry was past any Date).
    ['JWT_EXPIRES_IN', { JWT_EXPIRES_IN: '999999999d' }],
    ['CHAT_RETENTION', { CHAT_RETENTION: '100000d' }],
    // Accepted once, then Express refused it at start-up with a stack trace.
    ['TRUST_PROXY', { TRUST_PROXY: 'foo' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'loopback, 10.0.0.0/33' }],
    ['BODY_LIMIT', { BODY_LIMIT: 'lots' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'not a url' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['DB_URI', { DB_URI: 'postgres://localhost/db' }],
    ['JWT_SECRET', { NODE_ENV: 'production' }],
    ['JWT_SECRET', { NODE_ENV: 'production', JWT_SECRET: 'change-me' }],
  ])('exits non-zero with one line naming %s', async (variable, env) => {
    const server = spawnServer(env);
    running.push(server);
    const { code } = await server.exited;
    expect(code).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Configuration error: ${variable} `));
    expect(server.stdout()).toBe('');
  });
});

describe('process lifecycle (node dist/main.js)', () => {
  it('warns in development when JWT_SECRET is unset, without printing any secret', async () => {
    const { server } = await start({ NODE_ENV: 'development' });
    expect(server.stdout()).toMatch(/JWT_SECRET is not set/);
  });

  it('writes JSON log lines in production, with no credentials from DB_URI', async () => {
    const { server, port } = await start({
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-of-sufficient-length-0123456789',
      DB_URI: `mongodb://admin:hunter2-db-password@127.0.0.1:${await closedPort()}/prod`,
    });
    await fetch(`http://127.0.0.1:${port}/health/live?token=abc`);
    server.kill('SIGTERM');
    await server.exited;
    const lines = server.stdout().trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      const entry = JSON.parse(line) as { level: string; message: unknown };
      expect(typeof entry.level).toBe('string');
    }
    const all = server.stdout() + server.stderr();
    expect(all).toContain('GET /health/live 200');
    expect(all).not.toContain('hunter2-db-password');
    expect(all).not.toContain('token=abc');
  });

  it('exits 0 within 10 s of SIGTERM, even with a keep-alive connection open', async () => {
    const { server, port } = await start({});
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/health/live', agent }, (response) => {
        response.resume();
        response.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    const started = Date.now();
    server.kill('SIGTERM');
    const { code } = await server.exited;
    agent.destroy();
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(server.stdout()).toContain('SIGTERM received');
  });

  it('exits 0 on SIGINT and stops accepting connections', async () => {
    // Every TRUST_PROXY form the configuration accepts is one Express takes at start-up.
    const { server, port } = await start({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fc00::/7' });
    server.kill('SIGINT');
    expect((await server.exited).code).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });
});

describe('the container image command', () => {
  const dockerfile = readFileSync(resolve(import.meta.dirname, '../Dockerfile'), 'utf8');

  it('is `node dist/main.js` with NODE_ENV=production, a non-root user and a readiness healthcheck', () => {
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/ENV NODE_ENV=production/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/health\/ready/);
  });

  it('becomes ready when run as the image runs it', async () => {
    const database = await EmbeddedMongoServer.start();
    const port = await closedPort();
    // The image's variables (ENV NODE_ENV, PORT) plus what compose passes in.
    const server = spawnServer({
      NODE_ENV: 'production',
      PORT: String(port),
      DB_URI: database.uri('meet'),
      JWT_SECRET: 'a-production-secret-of-sufficient-length-0123456789',
    });
    running.push(server);
    try {
      await server.waitFor(`http://127.0.0.1:${port}/health/ready`, 200, 20_000);
      server.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
    } finally {
      await database.stop();
    }
  });
});
