import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { resolve } from 'node:path';
import { EmbeddedMongoServer } from 'embedded-mongo';
import { spawnServer, type ServerProcess } from './support/server-process.js';
import { connectSocket, eventually, nextEvent, record, request } from './support/socket-client.js';
import { closedPort } from './support/test-app.js';

const EMBEDDED_DB_CLI = resolve(import.meta.dirname, '../packages/embedded-mongo/dist/cli.js');
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
    ['WEBHOOK_URLS', { WEBHOOK_URLS: 'https://hooks.example/ok, ftp://token@files.example' }],
    ['WEBHOOK_URLS', { WEBHOOK_URLS: 'not a url', WEBHOOK_SECRET: 'a-long-enough-secret-value' }],
    ['WEBHOOK_SECRET', { WEBHOOK_URLS: 'https://hooks.example/meet' }],
    ['WEBHOOK_TIMEOUT', { WEBHOOK_TIMEOUT: '2h' }],
  ])('exits non-zero with one line naming %s', async (variable, env) => {
    const server = spawnServer(env);
    running.push(server);
    const { code } = await server.exited;
    expect(code).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Configuration error: ${variable} `));
    expect(server.stdout()).toBe('');
    // Never the secrets a value may hold (a URL's credentials, a webhook secret).
    expect(lines[0]).not.toMatch(/token@|short|a-long-enough-secret-value/);
  });
});

describe('process lifecycle (node dist/main.js)', () => {
  it('prints nothing of the cluster machinery on one instance when people leave', async () => {
    const { server, port } = await start({ NODE_ENV: 'development' });
    const url = `http://127.0.0.1:${port}`;
    const sockets = await Promise.all([connectSocket(url), connectSocket(url)]);
    try {
      for (const socket of sockets) {
        expect((await request(socket, 'join-call', 'quiet-room', 'Q')).ok).toBe(true);
      }
      expect((await request(sockets[0], 'leave-call')).ok).toBe(true);
      sockets[1].close();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Departures are told to other instances only when there are any (REDIS_URL).
      expect(`${server.stdout()}${server.stderr()}`).not.toMatch(/serverSideEmit|does not support/);
    } finally {
      for (const socket of sockets) socket.close();
    }
  });

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

async function startOn(dbUri: string): Promise<{ server: ServerProcess; url: string }> {
  const port = await closedPort();
  const server = spawnServer({ PORT: String(port), DB_URI: dbUri, LOG_LEVEL: 'warn' });
  running.push(server);
  const url = `http://127.0.0.1:${port}`;
  await server.waitFor(`${url}/health/live`);
  return { server, url };
}

describe('calls across a shutdown and a database outage (node dist/main.js)', () => {
  let database: EmbeddedMongoServer;
  beforeAll(async () => {
    database = await EmbeddedMongoServer.start();
  });
  afterAll(() => database.stop());

  it('stores every acknowledged chat message before it exits on SIGTERM', async () => {
    const first = await startOn(database.uri('shutdown-chat'));
    await first.server.waitFor(`${first.url}/health/ready`);
    const sender = await connectSocket(first.url);
    expect((await request(sender, 'join-call', 'flushed-room', 'Sender')).ok).toBe(true);
    const texts = Array.from({ length: 25 }, (_, i) => `message ${i}`);
    const liveTimes: unknown[] = [];
    sender.on('chat-message', (...args: unknown[]) => liveTimes.push(args[3]));
    const acks = await Promise.all(texts.map((text) => request(sender, 'chat-message', text)));
    expect(acks.every((ack) => ack.ok)).toBe(true);
    first.server.kill('SIGTERM');
    expect((await first.server.exited).code).toBe(0);
    sender.close();

    const second = await startOn(database.uri('shutdown-chat'));
    await second.server.waitFor(`${second.url}/health/ready`);
    const late = await connectSocket(second.url);
    try {
      const replay = record(late, 'chat-message');
      const replayTimes: unknown[] = [];
      late.on('chat-message', (...args: unknown[]) => replayTimes.push(args[3]));
      expect((await request(late, 'join-call', 'flushed-room', 'Late')).ok).toBe(true);
      await eventually(() => replay.length === texts.length);
      expect(replay.map(([text]) => text)).toEqual(texts);
      // Read back from the database, each message keeps the time it was sent with.
      expect(replayTimes).toEqual(liveTimes);
    } finally {
      late.close();
    }
  });

  it('with the database unresponsive, a join answers within a second or two and signals are not held', async () => {
    // The database in a process of its own, frozen with SIGSTOP: like a partition, its
    // connections stay open and nothing answers (the driver waits up to its 5 s timeout).
    const dbPort = await closedPort();
    const frozen = spawn(process.execPath, [EMBEDDED_DB_CLI, '--in-memory'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', EMBEDDED_DB_PORT: String(dbPort) },
      stdio: 'ignore',
    });
    try {
      await whileFrozen(frozen, dbPort);
    } finally {
      frozen.kill('SIGKILL');
    }
  });
});

/** Signs a new host up and in, and registers a meeting: its code. */
async function registerMeeting(url: string): Promise<string> {
  const post = async (path: string, body: unknown, token?: string): Promise<unknown> => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const account = { name: 'Host', username: `host${Date.now()}`, password: 'a-long-password' };
  await post('/api/v1/auth/register', account);
  const { username, password } = account;
  const { token } = (await post('/api/v1/auth/login', { username, password })) as {
    token: string;
  };
  const meeting = (await post('/api/v1/meetings', { title: 'Outage' }, token)) as { code: string };
  return meeting.code;
}

async function whileFrozen(frozen: ChildProcess, dbPort: number): Promise<void> {
  const { server, url } = await startOn(`mongodb://127.0.0.1:${dbPort}/frozen`);
  await server.waitFor(`${url}/health/ready`);
  // A registered meeting under way before the outage: this instance read its settings.
  const code = await registerMeeting(url);
  const early = await connectSocket(url);
  expect((await request(early, 'join-call', code, 'Early')).ok).toBe(true);
  frozen.kill('SIGSTOP');
  const alice = await connectSocket(url);
  const bob = await connectSocket(url);
  const carol = await connectSocket(url);
  try {
    // The meeting under way goes on by the settings read last; a meeting-code room never
    // read cannot be checked: a clear `unavailable`, within a second or so, not `internal`.
    const before = Date.now();
    const [late, unknown] = await Promise.all([
      request(carol, 'join-call', code, 'Carol'),
      request(bob, 'join-call', 'zzz-zzzz-zzz', 'Bob'),
    ]);
    expect(late.ok).toBe(true);
    expect(unknown.ok ? undefined : unknown.error.code).toBe('unavailable');
    expect(Date.now() - before).toBeLessThan(2_500);
    const started = Date.now();
    expect((await request(alice, 'join-call', 'no-database', 'Alice')).ok).toBe(true);
    expect((await request(bob, 'join-call', 'no-database', 'Bob')).ok).toBe(true);
    const signal = nextEvent(bob, 'signal');
    expect((await request(alice, 'signal', bob.id, '{"sdp":"offer"}')).ok).toBe(true);
    expect(await signal).toEqual([alice.id, '{"sdp":"offer"}']);
    // Two joins and a signal; each join used to wait 5-10 s for the history query.
    expect(Date.now() - started).toBeLessThan(4_500);
    // A chat message is still delivered; storing it fails in the background.
    expect((await request(alice, 'chat-message', 'unsaved')).ok).toBe(true);
  } finally {
    for (const socket of [early, alice, bob, carol]) socket.close();
  }
  // Then the database is gone (its connections refused): the message that could not be
  // stored does not hold the shutdown past its deadline.
  frozen.kill('SIGKILL');
  const stopped = Date.now();
  server.kill('SIGTERM');
  expect((await server.exited).code).toBe(0);
  expect(Date.now() - stopped).toBeLessThan(10_000);
}
