import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalFileSystem } from '../src/journal.js';
import { StorageEngine } from '../src/storage-engine.js';

/**
 * Disk failures, injected at the OS boundary only: every operation is the real one on a real
 * directory unless a fault is switched on.
 */
class FaultyDisk implements JournalFileSystem {
  /** Appends to the journal write half their bytes, then fail with ENOSPC. */
  appendsFail = false;
  /** ftruncate fails with EIO. */
  truncateFails = false;
  /** Writes to a compaction's new file fail with ENOSPC. */
  compactionFails = false;
  private readonly appendFds = new Set<number>();

  openSync(path: string, flags: string): number {
    const fd = fs.openSync(path, flags);
    if (flags.startsWith('a')) this.appendFds.add(fd);
    else this.appendFds.delete(fd);
    return fd;
  }

  writeSync(fd: number, buffer: Buffer, offset: number): number {
    if (this.appendFds.has(fd) && this.appendsFail) {
      // A short write, as on a full disk; the call for the rest then fails.
      if (offset === 0) return fs.writeSync(fd, buffer, 0, Math.ceil(buffer.length / 2));
      throw failure('ENOSPC');
    }
    if (!this.appendFds.has(fd) && this.compactionFails) throw failure('ENOSPC');
    return fs.writeSync(fd, buffer, offset);
  }

  ftruncateSync(fd: number, length: number): void {
    if (this.truncateFails) throw failure('EIO');
    fs.ftruncateSync(fd, length);
  }

  closeSync(fd: number): void {
    fs.closeSync(fd);
  }
  fstatSync(fd: number): { size: number } {
    return fs.fstatSync(fd);
  }
  readSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number {
    return fs.readSync(fd, buffer, offset, length, position);
  }
  fsyncSync(fd: number): void {
    fs.fsyncSync(fd);
  }
  renameSync(oldPath: string, newPath: string): void {
    fs.renameSync(oldPath, newPath);
  }
  unlinkSync(path: string): void {
    fs.unlinkSync(path);
  }
}

function failure(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected disk failure`), { code });
}

function freshDataDir(): string {
  return fs.mkdtempSync(join(tmpdir(), 'embedded-db-faults-'));
}

function collectingLog(): { lines: string[]; log: (level: string, message: string) => void } {
  const lines: string[] = [];
  return { lines, log: (level, message) => lines.push(`${level}: ${message}`) };
}

/** The ids stored in app.users. */
function userIds(engine: StorageEngine): unknown[] {
  return [...(engine.collection('app', 'users')?.documents.values() ?? [])].map((doc) => doc._id);
}

/** Opens the directory again on the real disk, as a restart would. */
function reopen(dataDir: string, log?: (level: 'warn' | 'error', message: string) => void) {
  return StorageEngine.open({ dataDir, log });
}

describe('journal under disk failures', () => {
  it('reports a write whose append fails part-way as failed, keeps nothing of it, and keeps later writes across a restart', () => {
    const dataDir = freshDataDir();
    const journal = join(dataDir, 'journal.bin');
    const disk = new FaultyDisk();
    const engine = StorageEngine.open({ dataDir, fileSystem: disk });
    const { collection: users } = engine.ensureCollection('app', 'users');
    engine.insert(users, { _id: 'ann', email: 'ann@x' });
    const sizeBefore = fs.statSync(journal).size;

    disk.appendsFail = true;
    expect(() => engine.insert(users, { _id: 'bob', email: 'bob@x' })).toThrow(/ENOSPC/);
    expect(userIds(engine)).toEqual(['ann']);
    expect(fs.statSync(journal).size).toBe(sizeBefore);

    disk.appendsFail = false;
    engine.insert(users, { _id: 'cid', email: 'cid@x' });
    engine.close();

    const { lines, log } = collectingLog();
    const restarted = reopen(dataDir, log);
    try {
      expect(userIds(restarted)).toEqual(['ann', 'cid']);
      expect(lines).toEqual([]);
    } finally {
      restarted.close();
    }
  });

  it('refuses further writes when a failed append cannot be rolled back, and a restart keeps every acknowledged write', () => {
    const dataDir = freshDataDir();
    const disk = new FaultyDisk();
    const engine = StorageEngine.open({ dataDir, fileSystem: disk });
    const { collection: users } = engine.ensureCollection('app', 'users');
    engine.insert(users, { _id: 'ann', email: 'ann@x' });

    disk.appendsFail = true;
    disk.truncateFails = true;
    expect(() => engine.insert(users, { _id: 'bob', email: 'bob@x' })).toThrow(/ENOSPC/);
    disk.appendsFail = false;
    disk.truncateFails = false;
    // A record after the partial one would make the journal unreadable past it.
    expect(() => engine.insert(users, { _id: 'cid', email: 'cid@x' })).toThrow(/restart/);
    expect(userIds(engine)).toEqual(['ann']);
    engine.close();

    const { lines, log } = collectingLog();
    const restarted = reopen(dataDir, log);
    try {
      expect(userIds(restarted)).toEqual(['ann']);
      expect(lines).toEqual([expect.stringMatching(/^warn: .*torn last record/)]);
      restarted.insert(restarted.collection('app', 'users')!, { _id: 'cid', email: 'cid@x' });
      expect(userIds(restarted)).toEqual(['ann', 'cid']);
    } finally {
      restarted.close();
    }
  });

  it('does not fail a write when the compaction after it fails, logs it, and compacts later', () => {
    const dataDir = freshDataDir();
    const journal = join(dataDir, 'journal.bin');
    const disk = new FaultyDisk();
    const { lines, log } = collectingLog();
    const engine = StorageEngine.open({ dataDir, fileSystem: disk, log });
    const { collection: docs } = engine.ensureCollection('app', 'docs');
    const payload = 'x'.repeat(1024 * 1024);
    engine.insert(docs, { _id: 'one', v: 0, payload });

    // Each version adds 1 MB: past 4 MB (and twice the live data) compaction runs, and fails.
    disk.compactionFails = true;
    for (let v = 1; v <= 6; v++) engine.replace(docs, { _id: 'one', v, payload });
    expect([...docs.documents.values()].map((doc) => doc.v)).toEqual([6]);
    expect(lines).toEqual([expect.stringMatching(/^error: .*compaction.*ENOSPC/)]);
    expect(fs.statSync(journal).size).toBeGreaterThan(7 * 1024 * 1024);
    expect(fs.existsSync(join(dataDir, 'journal.compact'))).toBe(false);

    // Once the disk has room again, a later write compacts.
    disk.compactionFails = false;
    const uncompacted = fs.statSync(journal).size;
    let v = 6;
    while (v < 16 && fs.statSync(journal).size >= uncompacted) {
      engine.replace(docs, { _id: 'one', v: ++v, payload });
    }
    expect(fs.statSync(journal).size).toBeLessThan(2 * 1024 * 1024);
    engine.close();

    const restarted = reopen(dataDir);
    try {
      const stored = [...restarted.collection('app', 'docs')!.documents.values()];
      expect(stored.map((doc) => doc.v)).toEqual([v]);
    } finally {
      restarted.close();
    }
  });
});
