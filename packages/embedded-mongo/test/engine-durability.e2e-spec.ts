import { spawn } from 'node:child_process';
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import {
  DataDirectoryLockedError,
  EmbeddedMongoServer,
  JournalCorruptedError,
} from '../src/index.js';
import { CLI, exitOf, startCli } from './support/cli-process.js';
import { AGAINST_REAL_MONGODB } from './support/test-database.js';

function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'embedded-db-'));
}

/** A `log` option that collects what the server logs. */
function collectingLog(): {
  lines: string[];
  log: (level: 'warn' | 'error', message: string) => void;
} {
  const lines: string[] = [];
  return { lines, log: (level, message) => lines.push(`${level}: ${message}`) };
}

/**
 * The [start, end) byte ranges of the journal's records, read the way the format is written:
 * uint32 body length, uint32 CRC-32, then the BSON body.
 */
function journalRecords(journal: Buffer): { start: number; end: number }[] {
  const records: { start: number; end: number }[] = [];
  for (let start = 0; start + 8 <= journal.length;) {
    const end = start + 8 + journal.readUInt32LE(start);
    records.push({ start, end });
    start = end;
  }
  return records;
}

/** Three users, each inserted on its own (one journal record each), then the server stopped. */
async function registerThreeUsers(dataDir: string): Promise<void> {
  const server = await EmbeddedMongoServer.start({ dataDir });
  const client = await MongoClient.connect(server.uri('app'));
  for (const email of ['ann@x', 'bob@x', 'cid@x']) {
    await client.db().collection('users').insertOne({ email });
  }
  await client.close();
  await server.stop();
}

async function emailsIn(dataDir: string, log?: ReturnType<typeof collectingLog>['log']) {
  const server = await EmbeddedMongoServer.start({ dataDir, log });
  const client = await MongoClient.connect(server.uri('app'));
  try {
    const users = await client.db().collection('users').find().toArray();
    return users.map((user) => user.email as string);
  } finally {
    await client.close();
    await server.stop();
  }
}

/** Sends raw bytes, then resolves when the server closes the connection (or after a while). */
function sendRaw(
  port: number,
  bytes: Buffer,
  closeAfterMs?: number,
): Promise<'closed-by-server' | 'still-open'> {
  return new Promise((resolveSend) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(bytes);
      if (closeAfterMs !== undefined) setTimeout(() => socket.destroy(), closeAfterMs);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolveSend('still-open');
    }, 1_000);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolveSend('closed-by-server');
    });
  });
}

// These properties belong to the embedded engine itself; a real MongoDB is not restarted here.
(AGAINST_REAL_MONGODB ? describe.skip : describe)(
  'embedded database durability and robustness',
  () => {
    it('keeps documents and indexes across a restart on the same data directory', async () => {
      const dataDir = freshDataDir();
      const first = await EmbeddedMongoServer.start({ dataDir });
      const client = await MongoClient.connect(first.uri('app'));
      const users = client.db().collection('users');
      await users.createIndex({ email: 1 }, { unique: true });
      await users.insertMany(Array.from({ length: 50 }, (_, i) => ({ email: `u${i}@x`, n: i })));
      await users.updateOne({ email: 'u1@x' }, { $set: { n: 100 } });
      await users.deleteOne({ email: 'u2@x' });
      await client.close();
      await first.stop();

      const second = await EmbeddedMongoServer.start({ dataDir });
      const again = await MongoClient.connect(second.uri('app'));
      try {
        const reopened = again.db().collection('users');
        expect(await reopened.countDocuments()).toBe(49);
        expect((await reopened.findOne({ email: 'u1@x' }))?.n).toBe(100);
        expect(await reopened.findOne({ email: 'u2@x' })).toBeNull();
        await expect(reopened.insertOne({ email: 'u3@x' })).rejects.toMatchObject({ code: 11000 });
      } finally {
        await again.close();
        await second.stop();
      }
    });

    it('loses no acknowledged write when its process is killed with SIGKILL', async () => {
      const dataDir = freshDataDir();
      const { child, uri } = await startCli(['--port', '0', '--data-dir', dataDir]);
      const client = await MongoClient.connect(`${uri}/durable`);
      const acknowledged: number[] = [];
      const writes = client.db().collection('writes');
      // Writes keep flowing while the process is killed; every acknowledged one must survive.
      const writer = (async () => {
        for (let i = 0; i < 5_000; i++) {
          try {
            await writes.insertOne({ i });
            acknowledged.push(i);
          } catch {
            return;
          }
        }
      })();
      while (acknowledged.length < 300) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      await exitOf(child);
      await writer;
      await client.close(true);

      const reopened = await EmbeddedMongoServer.start({ dataDir });
      const reader = await MongoClient.connect(reopened.uri('durable'));
      try {
        const stored = new Set(
          (await reader.db().collection('writes').find().toArray()).map((doc) => doc.i as number),
        );
        const lost = acknowledged.filter((i) => !stored.has(i));
        expect(acknowledged.length).toBeGreaterThanOrEqual(300);
        expect(lost).toEqual([]);
      } finally {
        await reader.close();
        await reopened.stop();
      }
    });

    it('refuses a second server on a data directory in use, in-process and from another process', async () => {
      const dataDir = freshDataDir();
      const first = await EmbeddedMongoServer.start({ dataDir });
      try {
        await expect(EmbeddedMongoServer.start({ dataDir })).rejects.toBeInstanceOf(
          DataDirectoryLockedError,
        );
        const child = spawn(process.execPath, [CLI, '--port', '0', '--data-dir', dataDir], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        expect(await exitOf(child)).toBe(1);
        expect(stderr).toMatch(/in use by another embedded database \(process \d+\)/);
      } finally {
        await first.stop();
      }
      // Once released, the directory opens again.
      const reopened = await EmbeddedMongoServer.start({ dataDir });
      await reopened.stop();
    });

    it('takes over a lock left behind by a process that died', async () => {
      const dataDir = freshDataDir();
      const { child } = await startCli(['--port', '0', '--data-dir', dataDir]);
      child.kill('SIGKILL');
      await exitOf(child);
      const server = await EmbeddedMongoServer.start({ dataDir });
      await server.stop();
    });

    it('takes over a lock that holds its own pid, left by an earlier run (pid 1 in a container), yet refuses a second server in-process', async () => {
      const dataDir = freshDataDir();
      await registerThreeUsers(dataDir);
      // A killed process left its lock; this process now has the pid it had.
      writeFileSync(join(dataDir, 'mongod.lock'), String(process.pid));

      const server = await EmbeddedMongoServer.start({ dataDir });
      try {
        await expect(EmbeddedMongoServer.start({ dataDir })).rejects.toBeInstanceOf(
          DataDirectoryLockedError,
        );
        const client = await MongoClient.connect(server.uri('app'));
        expect(await client.db().collection('users').countDocuments()).toBe(3);
        await client.close();
      } finally {
        await server.stop();
      }
    });

    it('cuts off a torn last journal record, says so in one log line, and keeps everything before it', async () => {
      const dataDir = freshDataDir();
      const journal = join(dataDir, 'journal.bin');
      const first = await EmbeddedMongoServer.start({ dataDir });
      const client = await MongoClient.connect(first.uri('torn'));
      await client
        .db()
        .collection('c')
        .insertMany([{ a: 1 }, { a: 2 }]);
      await client.close();
      await first.stop();
      const intactSize = statSync(journal).size;
      appendFileSync(journal, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5, 6]));

      const { lines, log } = collectingLog();
      const second = await EmbeddedMongoServer.start({ dataDir, log });
      const reader = await MongoClient.connect(second.uri('torn'));
      try {
        expect(await reader.db().collection('c').countDocuments()).toBe(2);
        await reader.db().collection('c').insertOne({ a: 3 });
      } finally {
        await reader.close();
        await second.stop();
      }
      expect(lines).toHaveLength(1);
      expect(lines[0]).not.toContain('\n');
      expect(lines[0]).toMatch(/^warn: /);
      expect(lines[0]).toContain(journal);
      expect(lines[0]).toContain(`offset ${intactSize}`);
      expect(lines[0]).toContain('10 bytes');

      const third = await EmbeddedMongoServer.start({ dataDir });
      const check = await MongoClient.connect(third.uri('torn'));
      expect(await check.db().collection('c').countDocuments()).toBe(3);
      await check.close();
      await third.stop();
    });

    it.each([
      ['cut short (the process died mid-append)', (last: Buffer) => last.subarray(0, -3)],
      [
        'complete but with a bad checksum',
        (last: Buffer) => {
          const damaged = Buffer.from(last);
          damaged[damaged.length - 4] ^= 0x01;
          return damaged;
        },
      ],
    ])('cuts off a last record that is %s and keeps the others', async (_, damage) => {
      const dataDir = freshDataDir();
      const journal = join(dataDir, 'journal.bin');
      await registerThreeUsers(dataDir);
      const bytes = readFileSync(journal);
      const last = journalRecords(bytes).at(-1)!;
      const damagedLast = damage(bytes.subarray(last.start, last.end));
      writeFileSync(journal, Buffer.concat([bytes.subarray(0, last.start), damagedLast]));

      const { lines, log } = collectingLog();
      expect(await emailsIn(dataDir, log)).toEqual(['ann@x', 'bob@x']);
      expect(lines).toEqual([expect.stringContaining(`offset ${last.start}`)]);
      expect(lines[0]).toContain(`${damagedLast.length} bytes`);
      expect(statSync(journal).size).toBe(last.start);
    });

    it.each([
      [
        'a bit flipped in its body',
        (journal: Buffer, start: number, bodyByte: number) => {
          journal[bodyByte] ^= 0x01;
        },
      ],
      [
        'a bit flipped in its length',
        (journal: Buffer, start: number) => {
          journal[start + 1] ^= 0x10;
        },
      ],
    ])(
      'refuses to start on a damaged record that intact records follow (%s), naming the file and offset, and starts once cut there',
      async (_, damage) => {
        const dataDir = freshDataDir();
        const journal = join(dataDir, 'journal.bin');
        await registerThreeUsers(dataDir);
        const bytes = readFileSync(journal);
        const bobAt = bytes.indexOf('bob@x');
        const bob = journalRecords(bytes).find((r) => r.start < bobAt && bobAt < r.end)!;
        damage(bytes, bob.start, bobAt);
        writeFileSync(journal, bytes);

        const { lines, log } = collectingLog();
        const outcome = await EmbeddedMongoServer.start({ dataDir, log }).then(
          (server) => server.stop().then(() => 'started'),
          (error: unknown) => error,
        );
        expect(outcome).toBeInstanceOf(JournalCorruptedError);
        expect(outcome).toMatchObject({ path: journal, offset: bob.start });
        const { message } = outcome as JournalCorruptedError;
        expect(message).toContain(journal);
        expect(message).toContain(`offset ${bob.start}`);
        expect(message).toContain(`truncate -s ${bob.start} ${journal}`);
        expect(lines).toEqual([]);
        // Nothing was cut: the records after the damage are still there to be rescued.
        expect(readFileSync(journal).equals(bytes)).toBe(true);

        // The command line says the same and exits 1.
        const child = spawn(process.execPath, [CLI, '--port', '0', '--data-dir', dataDir], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        const started = setTimeout(() => child.kill(), 10_000); // it must not start
        expect(await exitOf(child)).toBe(1);
        clearTimeout(started);
        expect(stderr).toContain(`journal ${journal}`);
        expect(stderr).toContain(`offset ${bob.start}`);

        // The documented recovery: cut the journal at the reported offset.
        truncateSync(journal, bob.start);
        expect(await emailsIn(dataDir)).toEqual(['ann@x']);
      },
    );

    it('compacts a journal that grew well past the live data', async () => {
      const dataDir = freshDataDir();
      const server = await EmbeddedMongoServer.start({ dataDir });
      const client = await MongoClient.connect(server.uri('compact'));
      const docs = client.db().collection('docs');
      const payload = 'x'.repeat(20_000);
      await docs.insertOne({ _id: 'one', v: 0, payload } as never);
      for (let v = 1; v <= 400; v++) await docs.updateOne({ _id: 'one' } as never, { $set: { v } });
      await client.close();
      await server.stop();
      // 400 versions of a 20 KB document were written; the journal holds about one.
      expect(statSync(join(dataDir, 'journal.bin')).size).toBeLessThan(6 * 1024 * 1024);

      const reopened = await EmbeddedMongoServer.start({ dataDir });
      const reader = await MongoClient.connect(reopened.uri('compact'));
      try {
        expect(
          await reader
            .db()
            .collection('docs')
            .findOne({ _id: 'one' } as never),
        ).toMatchObject({ v: 400 });
      } finally {
        await reader.close();
        await reopened.stop();
      }
    });

    it('survives garbage bytes, bad lengths and truncated messages, and keeps serving others', async () => {
      const server = await EmbeddedMongoServer.start();
      const client = await MongoClient.connect(server.uri('robust'));
      try {
        await client.db().collection('c').insertOne({ before: true });
        const garbage = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
        expect(await sendRaw(server.port, garbage)).toBe('closed-by-server');
        const huge = Buffer.alloc(16);
        huge.writeInt32LE(1_000_000_000, 0);
        expect(await sendRaw(server.port, huge)).toBe('closed-by-server');
        const badOpCode = Buffer.alloc(32);
        badOpCode.writeInt32LE(32, 0);
        badOpCode.writeInt32LE(9999, 12);
        expect(await sendRaw(server.port, badOpCode)).toBe('closed-by-server');
        const badBson = Buffer.alloc(30);
        badBson.writeInt32LE(30, 0);
        badBson.writeInt32LE(2013, 12);
        badBson.writeInt32LE(999, 21); // section 0 document claims 999 bytes
        expect(await sendRaw(server.port, badBson)).toBe('closed-by-server');
        const truncated = Buffer.alloc(40);
        truncated.writeInt32LE(500, 0); // claims 500 bytes, sends 40, then disconnects
        truncated.writeInt32LE(2013, 12);
        await sendRaw(server.port, truncated, 50);
        expect(await client.db().collection('c').countDocuments({ before: true })).toBe(1);
        await client.db().collection('c').insertOne({ after: true });
        expect(await client.db().collection('c').countDocuments()).toBe(2);
      } finally {
        await client.close();
        await server.stop();
      }
    });
  },
);
