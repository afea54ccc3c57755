import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvironment, resolveCliOptions } from './cli-options.js';

describe('resolveCliOptions', () => {
  it('defaults to port 27017, ./data and a 60 s TTL sweep', () => {
    expect(resolveCliOptions([], {})).toEqual({
      port: 27017,
      dataDir: './data',
      ttlSweepIntervalMs: 60_000,
    });
  });

  it('takes EMBEDDED_DB_PORT, DATA_DIR and EMBEDDED_DB_TTL_SWEEP_SECONDS from the environment', () => {
    const environment = {
      EMBEDDED_DB_PORT: '0',
      DATA_DIR: '/var/lib/db',
      EMBEDDED_DB_TTL_SWEEP_SECONDS: '5',
    };
    expect(resolveCliOptions([], environment)).toEqual({
      port: 0,
      dataDir: '/var/lib/db',
      ttlSweepIntervalMs: 5_000,
    });
    expect(resolveCliOptions([], { DATA_DIR: ':memory:' }).dataDir).toBeNull();
  });

  it('lets flags win over the environment', () => {
    const environment = {
      EMBEDDED_DB_PORT: '0',
      DATA_DIR: ':memory:',
      EMBEDDED_DB_TTL_SWEEP_SECONDS: '5',
    };
    const args = ['--port', '28000', '--data-dir', './here', '--ttl-sweep-ms', '250'];
    expect(resolveCliOptions(args, environment)).toEqual({
      port: 28000,
      dataDir: './here',
      ttlSweepIntervalMs: 250,
    });
    expect(resolveCliOptions(['--in-memory'], { DATA_DIR: './data' }).dataDir).toBeNull();
    expect(resolveCliOptions(['--in-memory', '--data-dir', './here'], {}).dataDir).toBeNull();
    expect(resolveCliOptions(['--data-dir', ':memory:'], {}).dataDir).toBeNull();
  });

  it('treats empty variables as unset, as a `.env` line `NAME=` means', () => {
    const environment = { EMBEDDED_DB_PORT: '', DATA_DIR: ' ', EMBEDDED_DB_TTL_SWEEP_SECONDS: '' };
    expect(resolveCliOptions([], environment)).toEqual(resolveCliOptions([], {}));
  });

  it('refuses bad values, naming the flag or variable, and unknown flags', () => {
    expect(() => resolveCliOptions([], { EMBEDDED_DB_PORT: '70000' })).toThrow(
      'EMBEDDED_DB_PORT must be an integer from 0 to 65535 (got "70000")',
    );
    expect(() => resolveCliOptions([], { EMBEDDED_DB_TTL_SWEEP_SECONDS: '0' })).toThrow(
      'EMBEDDED_DB_TTL_SWEEP_SECONDS must be an integer from 1 to 86400',
    );
    expect(() => resolveCliOptions(['--port', 'eighty'], {})).toThrow(
      '--port must be an integer from 0 to 65535 (got "eighty")',
    );
    expect(() => resolveCliOptions(['--ttl-sweep-ms', '5'], {})).toThrow(
      '--ttl-sweep-ms must be an integer from 10',
    );
    expect(() => resolveCliOptions(['--verbose'], {})).toThrow(/Unknown option '--verbose'/);
  });
});

describe('readEnvironment', () => {
  it('completes the environment with a .env file, the environment winning', () => {
    const envFile = join(mkdtempSync(join(tmpdir(), 'embedded-cli-')), '.env');
    writeFileSync(envFile, 'DATA_DIR=./from-file\nEMBEDDED_DB_PORT=28001\n# a comment\n');
    expect(readEnvironment({ DATA_DIR: './from-environment' }, envFile)).toEqual({
      DATA_DIR: './from-environment',
      EMBEDDED_DB_PORT: '28001',
    });
  });

  it('is the environment alone without a .env file', () => {
    const missing = join(tmpdir(), 'embedded-cli-no-such-dir', '.env');
    expect(readEnvironment({ DATA_DIR: './x' }, missing)).toEqual({ DATA_DIR: './x' });
  });
});
