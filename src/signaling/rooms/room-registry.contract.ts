import { RoomFullError, type RoomRegistry } from './room-registry.js';

/**
 * The behaviour every RoomRegistry implementation must have. Run it with a factory that gives
 * a fresh, empty registry (and cleans up in `dispose`).
 */
export function describeRoomRegistryContract(
  name: string,
  create: () => Promise<{ registry: RoomRegistry; dispose: () => Promise<void> }>,
): void {
  describe(`${name} (RoomRegistry contract)`, () => {
    let registry: RoomRegistry;
    let dispose: () => Promise<void>;

    beforeEach(async () => {
      ({ registry, dispose } = await create());
    });
    afterEach(() => dispose());

    const member = (socketId: string, roomId: string, extra: object = {}) => ({
      socketId,
      roomId,
      name: `name of ${socketId}`,
      ...extra,
    });

    it('lists a room in join order; media unknown (null) and hand down until reported', async () => {
      await registry.join(member('s1', 'room'), 16);
      const outcome = await registry.join(member('s2', 'room', { userId: 'u2' }), 16);
      expect(outcome.left).toBeUndefined();
      expect(outcome.participants.map((participant) => participant.socketId)).toEqual(['s1', 's2']);
      expect(outcome.participants[1]).toMatchObject({
        roomId: 'room',
        name: 'name of s2',
        userId: 'u2',
        media: null,
        handRaised: false,
      });
      expect(typeof outcome.participants[1].joinedAt).toBe('number');
      expect((await registry.participant('s2'))?.roomId).toBe('room');
      expect((await registry.participant('s1'))?.name).toBe('name of s1');
    });

    it('keeps a socket in at most one room: joining another leaves the first', async () => {
      await registry.join(member('s1', 'a'), 16);
      await registry.join(member('s2', 'a'), 16);
      const outcome = await registry.join(member('s1', 'b'), 16);
      expect(outcome.left?.roomId).toBe('a');
      expect((await registry.participants('a')).map((participant) => participant.socketId)).toEqual(
        ['s2'],
      );
      expect((await registry.participants('b')).map((participant) => participant.socketId)).toEqual(
        ['s1'],
      );
    });

    it('removes empty rooms and answers undefined for unknown sockets', async () => {
      await registry.join(member('s1', 'solo'), 16);
      expect((await registry.leave('s1'))?.roomId).toBe('solo');
      expect(await registry.leave('s1')).toBeUndefined();
      expect(await registry.participants('solo')).toEqual([]);
      expect(await registry.stats()).toEqual({ rooms: 0, participants: 0, localParticipants: 0 });
      expect(await registry.participant('ghost')).toBeUndefined();
      expect(
        await registry.setMedia('ghost', { audio: true, video: true, screen: true }),
      ).toBeUndefined();
    });

    it('tells whether two sockets share a room', async () => {
      await registry.join(member('a1', 'a'), 16);
      await registry.join(member('a2', 'a'), 16);
      await registry.join(member('b1', 'b'), 16);
      expect(await registry.inSameRoom('a1', 'a2')).toBe(true);
      expect(await registry.inSameRoom('a1', 'b1')).toBe(false);
      expect(await registry.inSameRoom('a1', 'nobody')).toBe(false);
      expect(await registry.inSameRoom('nobody', 'nobody-else')).toBe(false);
    });

    it('refuses joins beyond capacity, but not a member re-joining', async () => {
      await registry.join(member('s1', 'full'), 2);
      await registry.join(member('s2', 'full'), 2);
      await expect(registry.join(member('s3', 'full'), 2)).rejects.toBeInstanceOf(RoomFullError);
      expect(await registry.participant('s3')).toBeUndefined();
      expect((await registry.join(member('s2', 'full'), 2)).participants).toHaveLength(2);
    });

    it('answers a re-join of the same room with the room as it is, changing nothing', async () => {
      await registry.join(member('s1', 'same'), 16);
      await registry.setMedia('s1', { audio: true, video: true, screen: false });
      const first = await registry.participant('s1');
      const again = await registry.join(member('s1', 'same', { name: 'another name' }), 16);
      expect(again.rejoined).toBe(true);
      expect(again.left).toBeUndefined();
      expect(again.participants).toEqual([first]);
      expect((await registry.join(member('s2', 'same'), 16)).rejoined).toBe(false);
    });

    it('keeps the role given at join (participant by default)', async () => {
      await registry.join(member('h', 'roles', { role: 'host' }), 16);
      await registry.join(member('p', 'roles'), 16);
      expect((await registry.participants('roles')).map(({ role }) => role)).toEqual([
        'host',
        'participant',
      ]);
    });

    it('locks a live room until it empties; an empty room cannot be locked', async () => {
      await registry.setLocked('nobody-here', true);
      expect(await registry.isLocked('nobody-here')).toBe(false);
      await registry.join(member('l1', 'locked'), 16);
      await registry.join(member('l2', 'locked'), 16);
      await registry.setLocked('locked', true);
      expect(await registry.isLocked('locked')).toBe(true);
      await registry.setLocked('locked', false);
      expect(await registry.isLocked('locked')).toBe(false);
      await registry.setLocked('locked', true);
      await registry.leave('l1');
      expect(await registry.isLocked('locked')).toBe(true);
      await registry.leave('l2');
      expect(await registry.isLocked('locked')).toBe(false);
      await registry.join(member('l3', 'locked'), 16);
      expect(await registry.isLocked('locked')).toBe(false);
    });

    it('bans sockets from a live room until it empties', async () => {
      await registry.banSocket('empty', 'x');
      expect(await registry.isSocketBanned('empty', 'x')).toBe(false);
      await registry.join(member('b1', 'bans'), 16);
      await registry.banSocket('bans', 'b2');
      expect(await registry.isSocketBanned('bans', 'b2')).toBe(true);
      expect(await registry.isSocketBanned('bans', 'b1')).toBe(false);
      await registry.leave('b1');
      expect(await registry.isSocketBanned('bans', 'b2')).toBe(false);
    });

    it('keeps co-host grants of a live room until it empties, and takes them back', async () => {
      await registry.grantCohost('empty', 'u1', true);
      expect(await registry.isCohost('empty', 'u1')).toBe(false);
      await registry.join(member('c1', 'cohosts'), 16);
      await registry.join(member('c2', 'cohosts'), 16);
      await registry.grantCohost('cohosts', 'u1', true);
      await registry.grantCohost('cohosts', 'u2', true);
      expect(await registry.isCohost('cohosts', 'u1')).toBe(true);
      expect(await registry.isCohost('other-room', 'u1')).toBe(false);
      await registry.grantCohost('cohosts', 'u2', false);
      expect(await registry.isCohost('cohosts', 'u2')).toBe(false);
      await registry.leave('c1');
      expect(await registry.isCohost('cohosts', 'u1')).toBe(true);
      await registry.leave('c2');
      expect(await registry.isCohost('cohosts', 'u1')).toBe(false);
    });

    it('keeps waiting rooms in arrival order; a socket waits in one at most', async () => {
      await registry.enqueue({ socketId: 'w1', roomId: 'q', name: 'One', since: 1 });
      await registry.enqueue({ socketId: 'w2', roomId: 'q', name: 'Two', userId: 'u2', since: 2 });
      await registry.enqueue({ socketId: 'w3', roomId: 'other', name: 'Three', since: 3 });
      expect((await registry.waiting('q')).map(({ socketId }) => socketId)).toEqual(['w1', 'w2']);
      // (A shared registry also says which instance holds the socket.)
      const { node: _node, ...entry } = (await registry.waiting('q'))[1];
      expect(entry).toEqual({
        socketId: 'w2',
        roomId: 'q',
        name: 'Two',
        userId: 'u2',
        since: 2,
      });
      // Waiting elsewhere moves the socket.
      await registry.enqueue({ socketId: 'w3', roomId: 'q', name: 'Three', since: 4 });
      expect(await registry.waiting('other')).toEqual([]);
      expect(await registry.dequeue('other', 'w1')).toBeUndefined();
      expect((await registry.dequeue('q', 'w1'))?.name).toBe('One');
      expect((await registry.leaveQueue('w2'))?.roomId).toBe('q');
      expect(await registry.leaveQueue('w2')).toBeUndefined();
      expect((await registry.waiting('q')).map(({ socketId }) => socketId)).toEqual(['w3']);
    });

    it('renames a participant in its room', async () => {
      await registry.join(member('s1', 'names'), 16);
      await registry.rename('s1', 'Ada (guest)');
      expect((await registry.participants('names'))[0].name).toBe('Ada (guest)');
      await registry.rename('nobody', 'x');
      expect(await registry.participant('nobody')).toBeUndefined();
    });

    it('treats every string as a plain room id', async () => {
      for (const roomId of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
        await registry.join(member(`s-${roomId}`, roomId), 16);
        expect(
          (await registry.participants(roomId)).map((participant) => participant.socketId),
        ).toEqual([`s-${roomId}`]);
      }
      expect(await registry.stats()).toEqual({ rooms: 4, participants: 4, localParticipants: 4 });
    });

    it('updates media state and raised hands', async () => {
      await registry.join(member('s1', 'm'), 16);
      expect(await registry.setMedia('s1', { audio: true, video: false, screen: true })).toBe('m');
      expect(await registry.setHandRaised('s1', true)).toBe('m');
      expect(await registry.participant('s1')).toMatchObject({
        media: { audio: true, video: false, screen: true },
        handRaised: true,
      });
    });

    it('keeps a dropped participant in place until its time away ends, unless it comes back', async () => {
      await registry.join(member('s1', 'room'), 16);
      await registry.join(member('s2', 'room'), 16);
      await registry.setMedia('s2', { audio: false, video: true, screen: false });
      const now = Date.now();
      expect(await registry.markAway('s2', now + 1_000)).toEqual({
        participant: expect.objectContaining({ socketId: 's2', roomId: 'room' }),
        away: true,
      });
      expect(await registry.markAway('nobody', now + 1_000)).toBeUndefined();
      // Still a member, counted once.
      expect((await registry.participants('room')).map((p) => p.socketId)).toEqual(['s1', 's2']);
      expect((await registry.stats()).participants).toBe(2);
      expect(await registry.removeExpiredAway(now)).toEqual([]);
      // Back in time: same place, same media state; it was away.
      const back = await registry.markBack('s2');
      expect(back?.wasAway).toBe(true);
      expect(back?.participant.media).toEqual({ audio: false, video: true, screen: false });
      expect((await registry.markBack('s2'))?.wasAway).toBe(false);
      expect(await registry.removeExpiredAway(now + 5_000)).toEqual([]);
      // Away too long: removed once, whoever asks.
      await registry.markAway('s1', now + 1_000);
      const [first, second] = await Promise.all([
        registry.removeExpiredAway(now + 1_000),
        registry.removeExpiredAway(now + 1_000),
      ]);
      expect([...first, ...second].map((p) => p.socketId)).toEqual(['s1']);
      expect((await registry.participants('room')).map((p) => p.socketId)).toEqual(['s2']);
      expect(await registry.markBack('s1')).toBeUndefined();
      // Leaving ends the time away.
      await registry.markAway('s2', now + 1_000);
      await registry.leave('s2');
      await registry.join(member('s2', 'room'), 16);
      expect(await registry.removeExpiredAway(now + 5_000)).toEqual([]);
    });

    it('stays consistent under concurrent joins into a nearly full room', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => registry.join(member(`c${i}`, 'race'), 4)),
      );
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(4);
      expect(await registry.participants('race')).toHaveLength(4);
      expect(await registry.stats()).toEqual({ rooms: 1, participants: 4, localParticipants: 4 });
    });
  });
}
