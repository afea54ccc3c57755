import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisRoomRegistry } from '../../src/signaling/rooms/redis-room-registry.js';
import { describeRoomRegistryContract } from '../../src/signaling/rooms/room-registry.contract.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}

describeRoomRegistryContract('RedisRoomRegistry', () => {
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  const registry = new RedisRoomRegistry(new Redis(REDIS_URL), prefix);
  return Promise.resolve({
    registry,
    dispose: async () => {
      const cleaner = new Redis(REDIS_URL);
      await registry.close();
      await deleteKeys(cleaner, prefix);
      cleaner.disconnect();
    },
  });
});

describe('RedisRoomRegistry across instances', () => {
  it('removes the participants and waiting sockets of an instance that stopped heartbeating, once', async () => {
    const prefix = `test:${randomBytes(4).toString('hex')}:`;
    const alive = new RedisRoomRegistry(new Redis(REDIS_URL), prefix);
    const dying = new RedisRoomRegistry(new Redis(REDIS_URL), prefix);
    const other = new RedisRoomRegistry(new Redis(REDIS_URL), prefix);
    try {
      await alive.join({ socketId: 'a1', roomId: 'r', name: 'A' }, 16);
      await dying.join({ socketId: 'd1', roomId: 'r', name: 'D1' }, 16);
      await dying.join({ socketId: 'd2', roomId: 'solo', name: 'D2' }, 16);
      await dying.enqueue({ socketId: 'dw', roomId: 'r', name: 'Waits', since: Date.now() });
      await alive.enqueue({ socketId: 'aw', roomId: 'r', name: 'Also', since: Date.now() });
      // A socket that stopped waiting on the dying node is not reported again.
      await dying.enqueue({ socketId: 'gone', roomId: 'r', name: 'Gone', since: Date.now() });
      await alive.dequeue('r', 'gone');
      await Promise.all([alive.heartbeat(), dying.heartbeat(), other.heartbeat()]);
      // Nobody is dead yet.
      expect(await alive.removeDeadNodes(Date.now() - 60_000)).toEqual({
        participants: [],
        waiting: [],
      });
      await alive.heartbeat();
      await other.heartbeat();
      // Only "dying" has a heartbeat older than now; both survivors try to reap it at once.
      const cutoff = Date.now() + 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      await Promise.all([alive.heartbeat(), other.heartbeat()]);
      const [byAlive, byOther] = await Promise.all([
        alive.removeDeadNodes(cutoff),
        other.removeDeadNodes(cutoff),
      ]);
      const reaped = [...byAlive.participants, ...byOther.participants]
        .map((participant) => participant.socketId)
        .sort();
      expect(reaped).toEqual(['d1', 'd2']);
      expect([...byAlive.waiting, ...byOther.waiting].map((entry) => entry.socketId)).toEqual([
        'dw',
      ]);
      expect((await alive.waiting('r')).map((entry) => entry.socketId)).toEqual(['aw']);
      expect((await alive.participants('r')).map((participant) => participant.socketId)).toEqual([
        'a1',
      ]);
      // Cluster totals on every instance; localParticipants counts each instance's own.
      expect(await alive.stats()).toEqual({ rooms: 1, participants: 1, localParticipants: 1 });
      expect(await other.stats()).toEqual({ rooms: 1, participants: 1, localParticipants: 0 });
    } finally {
      await Promise.all([alive.close(), dying.close(), other.close()]);
      const cleaner = new Redis(REDIS_URL);
      await deleteKeys(cleaner, prefix);
      cleaner.disconnect();
    }
  });
});

describe('RedisRoomRegistry: a participant moving between instances', () => {
  it('is moved by markBack on its new instance; a drop its old instance records late leaves it in place', async () => {
    const prefix = `test:${randomBytes(4).toString('hex')}:`;
    const old = new RedisRoomRegistry(new Redis(REDIS_URL), prefix);
    const next = new RedisRoomRegistry(new Redis(REDIS_URL), prefix);
    try {
      await old.join({ socketId: 's1', roomId: 'r', name: 'Mover' }, 16);
      await old.join({ socketId: 's2', roomId: 'r', name: 'Stays' }, 16);
      // Recovered on the next instance before the old one recorded the drop.
      expect((await next.markBack('s1'))?.wasAway).toBe(false);
      const now = Date.now();
      expect(await old.markAway('s1', now + 1_000)).toEqual({
        participant: expect.objectContaining({ socketId: 's1', roomId: 'r' }),
        away: false,
      });
      // Not away, so never expired; counted once, on the next instance.
      expect(await next.removeExpiredAway(now + 5_000)).toEqual([]);
      expect((await next.participants('r')).map((p) => p.socketId)).toEqual(['s1', 's2']);
      expect(await next.stats()).toEqual({ rooms: 1, participants: 2, localParticipants: 1 });
      // A drop where it lives now is recorded as usual.
      expect((await next.markAway('s1', now + 1_000))?.away).toBe(true);
      expect((await next.removeExpiredAway(now + 5_000)).map((p) => p.socketId)).toEqual(['s1']);
    } finally {
      await Promise.all([old.close(), next.close()]);
      const cleaner = new Redis(REDIS_URL);
      await deleteKeys(cleaner, prefix);
      cleaner.disconnect();
    }
  });
});
