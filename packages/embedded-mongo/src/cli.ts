#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { EmbeddedMongoServer } from './embedded-mongo-server.js';

/**
 * The engine on its own, for mongosh, Compass or an app started with DB_URI pointing at it.
 * Options: --port (default 27017), --data-dir (default ./data), --in-memory, --ttl-sweep-ms.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '27017' },
      'data-dir': { type: 'string', default: './data' },
      'in-memory': { type: 'boolean', default: false },
      'ttl-sweep-ms': { type: 'string', default: '60000' },
    },
  });
  const port = Number(values.port);
  const ttlSweepIntervalMs = Number(values['ttl-sweep-ms']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0-65535 (got ${values.port})`);
  if (!Number.isInteger(ttlSweepIntervalMs) || ttlSweepIntervalMs < 10)
    throw new Error('--ttl-sweep-ms must be an integer ≥ 10');
  const dataDir = values['in-memory'] ? null : values['data-dir'];
  const server = await EmbeddedMongoServer.start({
    port,
    dataDir,
    ttlSweepIntervalMs,
    log: (level, message) => process.stderr.write(`${level}: ${message}\n`),
  });
  process.stdout.write(
    `Embedded MongoDB-compatible database listening at mongodb://${server.host}:${server.port} ` +
      `(${server.engine.dataDir ? `data in ${server.engine.dataDir}` : 'in memory'}). Ctrl-C stops it.\n`,
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
