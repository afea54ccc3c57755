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
  realpathSync,
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
/** The smallest BSON document: its int32 length and the terminating 0. */
const MIN_BSON_LENGTH = 5;

/** Where the journal reports what it did on its own (a cut-off torn record). */
export type JournalLog = (level: 'warn' | 'error', message: string) => void;

/**
 * The operations on the journal's files (not the lock): node:fs, or in tests a stand-in that
 * injects the failures of a real disk (short writes, ENOSPC, EIO).
 */
export interface JournalFileSystem {
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  fstatSync(fd: number): { size: number };
  readSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number;
  writeSync(fd: number, buffer: Buffer, offset: number): number;
  ftruncateSync(fd: number, length: number): void;
  fsyncSync(fd: number): void;
  renameSync(oldPath: string, newPath: string): void;
  unlinkSync(path: string): void;
}

const NODE_FILE_SYSTEM: JournalFileSystem = {
  openSync,
  closeSync,
  fstatSync,
  readSync,
  writeSync,
  ftruncateSync,
  fsyncSync,
  renameSync,
  unlinkSync,
};

export interface JournalOptions {
  log?: JournalLog;
  fileSystem?: JournalFileSystem;
}

/**
 * The journal has a damaged record with intact records after it: not the torn end of an
 * interrupted write, which is cut off on its own, but damage that cutting would turn into the
 * silent loss of every later change. Start-up stops instead.
 */
export class JournalCorruptedError extends Error {
  constructor(
    /** The journal file. */
    readonly path: string,
    /** Where the damaged record starts: everything before it is intact. */
    readonly offset: number,
    reason: string,
  ) {
    super(
      `journal ${path} is damaged at byte offset ${offset} (${reason}) and intact records ` +
        'follow it, so it is not a write cut short by a crash; the database will not start ' +
        'rather than drop them. To recover, stop every process using the directory and back it ' +
        `up, then restore it from a backup, or cut the journal there with \`truncate -s ${offset} ` +
        `${path}\`, which keeps every change before that offset and loses every one after it.`,
    );
    this.name = 'JournalCorruptedError';
  }
}

export class DataDirectoryLockedError extends Error {
  constructor(directory: string, pid: number) {
    super(
      `data directory ${directory} is in use by another embedded database (process ${pid}); ` +
        'stop it or choose another DATA_DIR',
    );
    this.name = 'DataDirectoryLockedError';
  }
}

/**
 * The data directories (real paths) open in this process. A lock file is only evidence of
 * another process if its pid is not ours: one holding our pid that is not in this set was
 * left by an earlier process that had the same pid (pid 1 in a restarted container). Kept on
 * globalThis so that two copies of this module (source and build) share it.
 */
const OPEN_DIRECTORIES = Symbol.for('embedded-mongo.openDataDirectories');
const openDirectories = ((globalThis as Record<symbol, Set<string> | undefined>)[
  OPEN_DIRECTORIES
] ??= new Set<string>());

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The end of the intact record at `offset`, or undefined. Intact: a length and checksum that
 * fit the data, a body whose own BSON length agrees and that ends with a 0 byte, and a
 * matching CRC-32 (checked last, being the costly part).
 */
function intactRecordEnd(data: Buffer, offset: number): number | undefined {
  if (offset + RECORD_HEADER > data.length) return undefined;
  const length = data.readUInt32LE(offset);
  const end = offset + RECORD_HEADER + length;
  if (length < MIN_BSON_LENGTH || end > data.length) return undefined;
  if (data.readUInt32LE(offset + RECORD_HEADER) !== length || data[end - 1] !== 0) return undefined;
  const body = data.subarray(offset + RECORD_HEADER, end);
  return crc32(body) === data.readUInt32LE(offset + 4) ? end : undefined;
}

/** Why the record at `offset` is not intact, for the error message. */
function damageAt(data: Buffer, offset: number): string {
  if (offset + RECORD_HEADER > data.length) return 'incomplete record header';
  const length = data.readUInt32LE(offset);
  if (length < MIN_BSON_LENGTH || offset + RECORD_HEADER + length > data.length) {
    return `impossible record length ${length}`;
  }
  return 'checksum mismatch';
}

/** The first position after `offset` where an intact record starts, if any. */
function nextIntactRecord(data: Buffer, offset: number): number | undefined {
  for (let position = offset + 1; position + RECORD_HEADER < data.length; position++) {
    if (intactRecordEnd(data, position) !== undefined) return position;
  }
  return undefined;
}

function ignoreFailure(operation: () => void): void {
  try {
    operation();
  } catch {
    // cleanup only: the failure that matters is reported by the caller
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
 * (the process died mid-write) is detected by its checksum and cut off at replay, while a
 * damaged record with intact ones after it stops start-up (JournalCorruptedError). The
 * directory is locked to one process at a time.
 */
export class Journal {
  readonly directory: string;
  private fd: number;
  private lockFd: number | undefined;
  /** The directory's real path: its entry in openDirectories. */
  private readonly lockKey: string;
  private readonly log: JournalLog;
  private readonly fs: JournalFileSystem;
  /** Set when a failed append could not be undone: the file ends in a partial record. */
  private unwritable: string | undefined;
  /** Bytes in the journal file. */
  size = 0;

  private constructor(
    directory: string,
    fd: number,
    lock: { fd: number; key: string },
    options: JournalOptions,
  ) {
    this.directory = directory;
    this.fd = fd;
    this.lockFd = lock.fd;
    this.lockKey = lock.key;
    this.log = options.log ?? (() => undefined);
    this.fs = options.fileSystem ?? NODE_FILE_SYSTEM;
  }

  get path(): string {
    return join(this.directory, JOURNAL_FILE);
  }

  /** Locks the directory and opens (or creates) its journal. */
  static open(directory: string, options: JournalOptions = {}): Journal {
    const absolute = resolve(directory);
    mkdirSync(absolute, { recursive: true });
    const lock = Journal.lock(absolute);
    try {
      const fs = options.fileSystem ?? NODE_FILE_SYSTEM;
      const compacted = join(absolute, COMPACT_FILE);
      if (existsSync(compacted)) fs.unlinkSync(compacted); // an interrupted compaction
      const fd = fs.openSync(join(absolute, JOURNAL_FILE), 'a+');
      return new Journal(absolute, fd, lock, options);
    } catch (error) {
      Journal.unlock(absolute, lock);
      throw error;
    }
  }

  private static lock(directory: string): { fd: number; key: string } {
    const key = realpathSync(directory);
    if (openDirectories.has(key)) throw new DataDirectoryLockedError(directory, process.pid);
    const path = join(directory, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        openDirectories.add(key);
        return { fd, key };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const pid = Number(readFileSync(path, 'utf8').trim());
        // Our own pid is never another process: this process does not hold the directory.
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processIsAlive(pid)) {
          throw new DataDirectoryLockedError(directory, pid);
        }
        unlinkSync(path); // left by a process that died: take over
      }
    }
    throw new Error(`could not lock data directory ${directory}`);
  }

  private static unlock(directory: string, lock: { fd: number; key: string }): void {
    openDirectories.delete(lock.key);
    closeSync(lock.fd);
    try {
      unlinkSync(join(directory, LOCK_FILE));
    } catch {
      // already gone
    }
  }

  /**
   * Applies every record in order. A last record that is incomplete or fails its checksum,
   * with nothing intact after it, is what a write interrupted by a crash leaves: it is cut off
   * and logged. A damaged record followed by an intact one is corruption: JournalCorruptedError,
   * with the file left as it is.
   */
  replay(apply: (record: JournalRecord) => void): number {
    const { size } = this.fs.fstatSync(this.fd);
    const data = Buffer.alloc(size);
    let read = 0;
    while (read < size) read += this.fs.readSync(this.fd, data, read, size - read, read);
    let offset = 0;
    let count = 0;
    while (offset < size) {
      const end = intactRecordEnd(data, offset);
      if (end === undefined) {
        if (nextIntactRecord(data, offset) !== undefined) {
          throw new JournalCorruptedError(this.path, offset, damageAt(data, offset));
        }
        this.fs.ftruncateSync(this.fd, offset);
        this.log(
          'warn',
          `journal ${this.path}: cut off a torn last record at byte offset ${offset} ` +
            `(${size - offset} bytes dropped), left by a write the process did not finish`,
        );
        break;
      }
      const body = data.subarray(offset + RECORD_HEADER, end);
      let record: JournalRecord;
      try {
        record = deserialize(body, { promoteLongs: true, promoteValues: true }) as JournalRecord;
      } catch (error) {
        throw new JournalCorruptedError(this.path, offset, (error as Error).message);
      }
      apply(record);
      offset = end;
      count++;
    }
    this.size = offset;
    return count;
  }

  /**
   * Writes one record at the end, or throws with the journal as it was: a write that fails
   * part-way (short write, then ENOSPC or EIO) is cut off again. If even that fails, the
   * journal refuses every later append, which would land after the partial record; a restart
   * cuts it off as a torn last record.
   */
  append(record: JournalRecord): void {
    if (this.unwritable !== undefined) {
      throw new Error(
        `journal ${this.path} is not writable since an earlier failure (${this.unwritable}); ` +
          'restart the database',
      );
    }
    const bytes = encodeRecord(record);
    let written = 0;
    try {
      while (written < bytes.length) written += this.fs.writeSync(this.fd, bytes, written);
    } catch (error) {
      try {
        this.fs.ftruncateSync(this.fd, this.size);
      } catch (rollbackError) {
        this.unwritable =
          `append failed: ${(error as Error).message}; ` +
          `cutting it off failed: ${(rollbackError as Error).message}`;
        this.log('error', `journal ${this.path} is not writable: ${this.unwritable}`);
      }
      throw error;
    }
    this.size += bytes.length;
  }

  /**
   * Replaces the journal by the given records (the live state), atomically via rename. On
   * failure the journal is as it was and the new file is removed.
   */
  rewrite(records: Iterable<JournalRecord>): void {
    const fs = this.fs;
    const path = join(this.directory, COMPACT_FILE);
    let size = 0;
    let next: number | undefined;
    try {
      const fd = fs.openSync(path, 'w');
      try {
        for (const record of records) {
          const bytes = encodeRecord(record);
          let written = 0;
          while (written < bytes.length) written += fs.writeSync(fd, bytes, written);
          size += bytes.length;
        }
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      // Opened before the rename, so that nothing can fail once the new file is in place.
      next = fs.openSync(path, 'a+');
      fs.renameSync(path, this.path);
    } catch (error) {
      const opened = next;
      if (opened !== undefined) ignoreFailure(() => fs.closeSync(opened));
      ignoreFailure(() => fs.unlinkSync(path));
      throw error;
    }
    const previous = this.fd;
    this.fd = next;
    this.size = size;
    ignoreFailure(() => fs.closeSync(previous)); // its file is already replaced
  }

  close(): void {
    if (this.lockFd === undefined) return;
    const lock = { fd: this.lockFd, key: this.lockKey };
    this.lockFd = undefined;
    try {
      this.fs.fsyncSync(this.fd);
    } finally {
      try {
        this.fs.closeSync(this.fd);
      } finally {
        Journal.unlock(this.directory, lock);
      }
    }
  }
}
