import { MongoClient } from 'mongodb';
import { EmbeddedMongoServer } from 'embedded-mongo';
import { ProbeController } from './support/probe.controller.js';
import { spawnServer, type ServerProcess } from './support/server-process.js';
import { closedPort, startTestApp, type TestApp } from './support/test-app.js';
import { AGAINST_REAL_MONGODB } from './support/test-database.js';

async function waitForStatus(
  testApp: TestApp,
  path: string,
  status: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    last = (await testApp.http(path)).status;
    if (last === status) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${path} stayed ${last}, expected ${status}`);
}

describe('database wiring (whole app)', () => {
  it('is ready when the database answers', async () => {
    const testApp = await startTestApp();
    try {
      await waitForStatus(testApp, '/health/ready', 200, 10_000);
      expect(await (await testApp.http('/health/ready')).json()).toEqual({
        status: 'ok',
        database: 'up',
        checks: { database: 'up' },
      });
    } finally {
      await testApp.close();
    }
  });

  (AGAINST_REAL_MONGODB ? it.skip : it)(
    'answers 503 while the database is down and recovers by itself when it returns',
    async () => {
      const port = await closedPort();
      let database = await EmbeddedMongoServer.start({ port });
      const testApp = await startTestApp({
        env: { DB_URI: database.uri('meet') },
        controllers: [ProbeController],
      });
      try {
        await waitForStatus(testApp, '/health/ready', 200, 10_000);
        expect((await testApp.http('/api/v1/probe/database')).status).toBe(200);

        await database.stop();
        await waitForStatus(testApp, '/health/ready', 503, 15_000);
        const started = Date.now();
        const down = await testApp.http('/api/v1/probe/database');
        expect(down.status).toBe(503);
        expect(await down.json()).toEqual({ error: 'database unavailable', status: 503 });
        expect(Date.now() - started).toBeLessThan(7_000);
        expect((await testApp.http('/health/live')).status).toBe(200);

        database = await EmbeddedMongoServer.start({ port });
        await waitForStatus(testApp, '/health/ready', 200, 30_000);
        expect((await testApp.http('/api/v1/probe/database')).status).toBe(200);
      } finally {
        await testApp.close();
        await database.stop();
      }
    },
    60_000,
  );
});

describe('npm start without DB_URI (node dist/main.js)', () => {
  const running: ServerProcess[] = [];
  afterEach(() => {
    for (const server of running.splice(0)) server.kill();
  });

  async function startApp(env: Record<string, string>): Promise<ServerProcess> {
    const server = spawnServer(env);
    running.push(server);
    await server.waitFor(`http://127.0.0.1:${env.PORT}/health/ready`, 200, 20_000);
    return server;
  }

  it('serves a ready server on the embedded database, whose data survives a restart', async () => {
    const dataDir = `${(await import('node:os')).tmpdir()}/meet-data-${Date.now()}`;
    const env = {
      PORT: String(await closedPort()),
      EMBEDDED_DB_PORT: String(await closedPort()),
      DATA_DIR: dataDir,
    };
    const first = await startApp(env);
    expect(first.stdout()).toMatch(
      /using the embedded development database at mongodb:\/\/127\.0\.0\.1:\d+\/meet/,
    );
    expect(first.stdout()).toContain(dataDir);

    const uri = `mongodb://127.0.0.1:${env.EMBEDDED_DB_PORT}/meet`;
    const client = await MongoClient.connect(uri);
    await client.db().collection('notes').insertOne({ text: 'kept' });
    await client.close();

    // A second app on the same data directory is refused with a clear message.
    const intruder = spawnServer({
      ...env,
      PORT: String(await closedPort()),
      EMBEDDED_DB_PORT: '0',
    });
    running.push(intruder);
    expect((await intruder.exited).code).toBe(1);
    expect(intruder.stdout() + intruder.stderr()).toMatch(/data directory .* is in use/);

    first.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    await startApp(env);
    const again = await MongoClient.connect(uri);
    try {
      expect(
        await again
          .db()
          .collection('notes')
          .findOne({}, { projection: { _id: 0 } }),
      ).toEqual({ text: 'kept' });
    } finally {
      await again.close();
    }
  });
});
