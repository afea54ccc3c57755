import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { exitOf, startCli } from './support/cli-process.js';

/** A port that was free a moment ago, for the CLI to be told about through `.env`. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

describe('the embedded-mongo CLI', () => {
  it('takes its settings from flags, then the environment, then ./.env, and answers a driver', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'embedded-cli-'));
    const port = await freePort();
    // The file's TTL is invalid: only the flag overriding it lets the server start.
    writeFileSync(
      join(cwd, '.env'),
      `EMBEDDED_DB_PORT=${port}\nDATA_DIR=./from-file\nEMBEDDED_DB_TTL_SWEEP_SECONDS=never\n`,
    );
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: './from-environment' };
    delete env.EMBEDDED_DB_PORT;
    delete env.EMBEDDED_DB_TTL_SWEEP_SECONDS;

    const { child, uri, output } = await startCli(['--ttl-sweep-ms', '500'], { cwd, env });
    try {
      expect(uri).toBe(`mongodb://127.0.0.1:${port}`);
      expect(output()).toContain(`data in ${join(cwd, 'from-environment')}`);
      expect(existsSync(join(cwd, 'from-file'))).toBe(false);
      const client = await MongoClient.connect(`${uri}/admin`, { serverSelectionTimeoutMS: 5_000 });
      try {
        expect(await client.db().command({ ping: 1 })).toMatchObject({ ok: 1 });
      } finally {
        await client.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitOf(child)).toBe(0);
  });
});
