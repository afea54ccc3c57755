/**
 * bench/login: what does the service add on top of bcrypt? Logins per second over HTTP
 * (concurrent clients, the whole app on the embedded database) next to bcrypt.compare per
 * second measured alone at the same concurrency, in alternating rounds of one run.
 * Target: ratio >= 0.9. Loopback only, bounded loops.
 */
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import bcrypt from 'bcrypt';
import { AppModule } from '../src/app.module.js';
import { applicationOptions, configureApplication } from '../src/app.setup.js';
import { loadConfiguration } from '../src/config/configuration.js';
import { EmbeddedMongoServer } from 'embedded-mongo';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PER_ROUND = Number(process.env.BENCH_LOGINS ?? 200);
const ROUNDS = 3;
const ROUNDS_COST = 10;
const PASSWORD = 'benchmark-password';

async function inParallel(total: number, task: () => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        next += 1;
        await task();
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const database = await EmbeddedMongoServer.start({ dataDir: null });
  const config = loadConfiguration({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DB_URI: database.uri('bench'),
    JWT_SECRET: 'benchmark-secret-benchmark-secret-0123',
    BCRYPT_ROUNDS: String(ROUNDS_COST),
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
    RATE_LIMIT_LOGIN_FAILURES: '1000000',
  });
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config),
    applicationOptions(config),
  );
  await configureApplication(app, config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/v1`;
  try {
    // A light keep-alive client: the load generator shares the machine's cores with bcrypt.
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const post = (path: string, body: object): Promise<{ status: number }> =>
      new Promise((resolve, reject) => {
        const payload = JSON.stringify(body);
        const request = httpRequest(
          `${base}${path}`,
          {
            method: 'POST',
            agent,
            headers: {
              'Content-Type': 'application/json',
              'Content-Length': Buffer.byteLength(payload),
            },
          },
          (response) => {
            response.resume();
            response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
          },
        );
        request.on('error', reject);
        request.end(payload);
      });
    for (let ready = false; !ready;) {
      ready =
        (await post('/auth/register', { name: 'Bench', username: 'bench', password: PASSWORD }))
          .status === 201;
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const hash = await bcrypt.hash(PASSWORD, ROUNDS_COST);
    const login = async (): Promise<void> => {
      const response = await post('/auth/login', { username: 'bench', password: PASSWORD });
      if (response.status !== 200) throw new Error(`login answered ${response.status}`);
    };
    const compare = async (): Promise<void> => {
      if (!(await bcrypt.compare(PASSWORD, hash))) throw new Error('compare failed');
    };
    await inParallel(CONCURRENCY * 2, login); // warm-up
    await inParallel(CONCURRENCY * 2, compare);
    let loginRate = 0;
    let compareRate = 0;
    for (let round = 0; round < ROUNDS; round++) {
      compareRate += await inParallel(PER_ROUND, compare);
      loginRate += await inParallel(PER_ROUND, login);
    }
    loginRate /= ROUNDS;
    compareRate /= ROUNDS;
    const ratio = loginRate / compareRate;
    console.log(
      `login benchmark (bcrypt cost ${ROUNDS_COST}, concurrency ${CONCURRENCY}, ${ROUNDS} x ${PER_ROUND} per side)`,
    );
    console.log(`  bcrypt.compare alone: ${compareRate.toFixed(1)}/s`);
    console.log(`  POST /auth/login:     ${loginRate.toFixed(1)}/s`);
    console.log(
      `  ratio login/bcrypt:   ${ratio.toFixed(2)} (target >= 0.9) ${ratio >= 0.9 ? 'OK' : 'BELOW TARGET'}`,
    );
    process.exitCode = ratio >= 0.9 ? 0 : 1;
    agent.destroy();
  } finally {
    await app.close();
    await database.stop();
  }
}

await main();
