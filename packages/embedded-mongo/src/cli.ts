#!/usr/bin/env node
import { readEnvironment, resolveCliOptions } from './cli-options.js';
import { EmbeddedMongoServer } from './embedded-mongo-server.js';

/**
 * The engine on its own, for mongosh, Compass or an app pointed at it. Options: --port,
 * --data-dir, --in-memory, --ttl-sweep-ms; each wins over its environment variable
 * (EMBEDDED_DB_PORT, DATA_DIR, EMBEDDED_DB_TTL_SWEEP_SECONDS), read from ./.env too.
 */
async function main(): Promise<void> {
  const options = resolveCliOptions(process.argv.slice(2), readEnvironment());
  const server = await EmbeddedMongoServer.start({
    ...options,
    log: (level, message) => process.stderr.write(`${level}: ${message}\n`),
  });
  process.stdout.write(
    `Embedded MongoDB-compatible database listening at mongodb://${server.host}:${server.port} ` +
      `(${server.engine.dataDir ? `data in ${server.engine.dataDir}` : 'in memory'}). ` +
      `Name a database in the URI you connect with (mongodb://${server.host}:${server.port}/meet ` +
      'for the app); without one, drivers use "test". Ctrl-C stops it.\n',
  );
  const stop = (): void => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `embedded database: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
