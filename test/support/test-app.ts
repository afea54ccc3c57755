import { createServer } from 'node:net';
import type { LoggerService, ModuleMetadata } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { AppModule, FEATURE_MODULES } from '../../src/app.module.js';
import { applicationOptions, configureApplication } from '../../src/app.setup.js';
import { type AppConfig, loadConfiguration } from '../../src/config/configuration.js';
import { startTestDatabase, type TestDatabase } from './test-database.js';

export interface TestAppOptions {
  /** Environment variables on top of the test defaults (NODE_ENV=test, quiet logs). */
  env?: Record<string, string>;
  /** Extra controllers/providers mounted next to the real app (e.g. probes for the error path). */
  controllers?: ModuleMetadata['controllers'];
  providers?: ModuleMetadata['providers'];
  /** Replaces the app's logger, e.g. to assert what is logged. */
  logger?: LoggerService;
  /** false: the modern API alone, without the original client's routes (CompatModule). */
  compat?: boolean;
}

export interface TestApp {
  app: NestExpressApplication;
  /** The database started for this app (absent when the test passed its own DB_URI). */
  database?: TestDatabase;
  config: AppConfig;
  baseUrl: string;
  port: number;
  /** fetch() against the running app: `http('/health/live')`. */
  http(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Boots the whole application on an ephemeral loopback port, as main.ts does, backed by a
 * fresh in-memory embedded database (or TEST_DB_URI) unless `env.DB_URI` is given.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.env?.DB_URI === undefined ? await startTestDatabase() : undefined;
  const config = loadConfiguration({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-signing',
    ...(database ? { DB_URI: database.uri } : {}),
    ...options.env,
  });
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.forRoot(
        config,
        // By name: the suites still compile when src/compat/ is deleted (.ci/without-compat).
        options.compat === false
          ? FEATURE_MODULES.filter((feature) => feature.name !== 'CompatModule')
          : FEATURE_MODULES,
      ),
    ],
    controllers: options.controllers ?? [],
    providers: options.providers ?? [],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    ...applicationOptions(config),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  await configureApplication(app, config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return {
    app,
    database,
    config,
    baseUrl,
    port: address.port,
    http: (path, init) => fetch(`${baseUrl}${path}`, init),
    close: async () => {
      await app.close();
      await database?.stop();
    },
  };
}

/** A loopback port with nothing listening on it (for "database unreachable" cases). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** POST a JSON body (or a raw string) and return the response. */
export function postJson(
  testApp: TestApp,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return testApp.http(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/**
 * Waits until GET /health/ready answers 200. The app listens before its first database
 * connection is up (queries are not buffered), so on a loaded machine a suite's very first
 * query can otherwise get 503; suites that assert the first answers' statuses wait first.
 */
export async function untilReady(testApp: TestApp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await testApp.http('/health/ready')).status !== 200) {
    if (Date.now() > deadline) throw new Error('the app did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
