import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProcessEnvironment } from './environment.js';

describe('readProcessEnvironment', () => {
  it('reads a .env file, with variables already in the environment taking precedence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    const file = join(dir, '.env');
    writeFileSync(file, '# comment\nMEET_TEST_FROM_FILE=file\nMEET_TEST_BOTH=file\n');
    process.env.MEET_TEST_BOTH = 'process';
    try {
      const env = readProcessEnvironment(file);
      expect(env.MEET_TEST_FROM_FILE).toBe('file');
      expect(env.MEET_TEST_BOTH).toBe('process');
    } finally {
      delete process.env.MEET_TEST_BOTH;
    }
  });

  it('works without a .env file', () => {
    expect(readProcessEnvironment(join(tmpdir(), 'no-such-dir', '.env')).PATH).toBe(
      process.env.PATH,
    );
  });
});
