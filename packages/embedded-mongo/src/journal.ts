import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { deserialize, serialize } from 'bson';
import type { Doc } from './documents.js';
import type { IndexSpec } from './indexes.js';

/** One change to the stored state; replaying them in order rebuilds it. */
export type JournalRecord =
  | { t: 'createCollection'; db: string; c: string; options: Doc }
  | { t: 'dropCollection'; db: string; c: string }
  | { t: 'dropDatabase'; db: string }
  | { t: 'createIndex'; db: string; c: string; spec: IndexSpec }
  | { t: 'dropIndex'; db: string; c: string; name: string }
  | { t: 'put'; db: string; c: string; doc: Doc }
  | { t: 'delete'; db: string; c: string; id: unknown };

const JOURNAL_FILE = 'journal.bin';
const COMPACT_FILE = 'journal.compact';
const LOCK_FILE = 'mongod.lock';
/** Each record: uint32 BSON length, uint32 CRC-32 of the BSON, the BSON bytes. */
const RECORD_HEADER = 8;

export class DataDirectoryLockedError extends Error {
  constructor(directory: string, pid: number) {
    super(
      `data directory ${directory} is in use by another embedded database (process ${pid}); ` +
        'stop it or choose another DATA_DIR',
    );
    this.name = 'DataDirectoryLockedError';
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function encodeRecord(record: JournalRecord): Buffer {
  const body = serialize(record, { ignoreUndefined: true });
  const header = Buffer.alloc(RECORD_HEADER);
  header.writeUInt32LE(body.length, 0);
  header.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([header, body]);
}

/**
 * The append-only journal of a data directory. Every change is written (write(2), before the
 * client is answered) so a killed process loses no acknowledged write; a torn last record
 * (the process died mid-write) is detected by its checksum and cut off at replay. The
 * directory is locked to one process at a time.
 */
export class Journal {
  readonly directory: string;
  private fd: number;
  private lockFd: number | undefined;
  /** Bytes in the journal file. */
  size = 0;

  private constructor(directory: string, fd: number, lockFd: number) {
    this.directory = directory;
    this.fd = fd;
    this.lockFd = lockFd;
  }

  /** Locks the directory and opens (or creates) its journal. */
  static open(directory: string): Journal {
    const absolute = resolve(directory);
    mkdirSync(absolute, { recursive: true });
    const lockFd = Journal.lock(absolute);
    try {
      const compacted = join(absolute, COMPACT_FILE);
      if (existsSync(compacted)) unlinkSync(compacted); // an interrupted compaction
      const fd = openSync(join(absolute, JOURNAL_FILE), 'a+');
      return new Journal(absolute, fd, lockFd);
    } catch (error) {
      Journal.unlock(absolute, lockFd);
      throw error;
    }
  }

  private static lock(directory: string): number {
    const path = join(directory, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        return fd;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const pid = Number(readFileSync(path, 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0 && processIsAlive(pid)) {
          throw new DataDirectoryLockedError(directory, pid);
        }
        unlinkSync(path); // left by a process that died: take over
      }
    }
    throw new Error(`could not lock data directory ${directory}`);
  }

  private static unlock(directory: string, fd: number): void {
    closeSync(fd);
    try {
      unlinkSync(join(directory, LOCK_FILE));
    } catch {
      // already gone
    }
  }

  /** Reads every intact record; cuts off a torn or corrupt tail. */
  replay(apply: (record: JournalRecord) => void): number {
    const { size } = fstatSync(this.fd);
    const data = Buffer.alloc(size);
    let read = 0;
    while (read < size) read += readSync(this.fd, data, read, size - read, read);
    let offset = 0;
    let count = 0;
    while (offset + RECORD_HEADER <= size) {
      const length = data.readUInt32LE(offset);
      const checksum = data.readUInt32LE(offset + 4);
      const end = offset + RECORD_HEADER + length;
      if (length < 5 || end > size) break;
      const body = data.subarray(offset + RECORD_HEADER, end);
      if (crc32(body) !== checksum) break;
      apply(deserialize(body, { promoteLongs: true, promoteValues: true }) as JournalRecord);
      offset = end;
      count++;
    }
    if (offset < size) ftruncateSync(this.fd, offset);
    this.size = offset;
    return count;
  }

  append(record: JournalRecord): void {
    const bytes = encodeRecord(record);
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written);
    this.size += bytes.length;
  }

  /** Replaces the journal by the given records (the live state), atomically via rename. */
  rewrite(records: Iterable<JournalRecord>): void {
    const path = join(this.directory, COMPACT_FILE);
    const fd = openSync(path, 'w');
    let size = 0;
    try {
      for (const record of records) {
        const bytes = encodeRecord(record);
        let written = 0;
        while (written < bytes.length) written += writeSync(fd, bytes, written);
        size += bytes.length;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(path, join(this.directory, JOURNAL_FILE));
    closeSync(this.fd);
    this.fd = openSync(join(this.directory, JOURNAL_FILE), 'a+');
    this.size = size;
  }

  close(): void {
    if (this.lockFd === undefined) return;
    try {
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
      Journal.unlock(this.directory, this.lockFd);
      this.lockFd = undefined;
    }
  }
}
