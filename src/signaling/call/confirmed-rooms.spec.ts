import { ConfirmedRooms } from './confirmed-rooms.js';

describe('ConfirmedRooms', () => {
  let clock = 0;
  const now = (): number => clock;

  beforeEach(() => {
    clock = 1_000;
  });

  it('answers with the confirmed room until the entry is older than its TTL', () => {
    const rooms = new ConfirmedRooms(5_000, 10, now);
    rooms.confirm('a', 'room-1');
    expect(rooms.get('a')).toBe('room-1');
    clock += 4_999;
    expect(rooms.get('a')).toBe('room-1');
    clock += 1;
    expect(rooms.get('a')).toBeUndefined();
    expect(rooms.size).toBe(0);
  });

  it('a new confirmation replaces the room and restarts the TTL', () => {
    const rooms = new ConfirmedRooms(5_000, 10, now);
    rooms.confirm('a', 'room-1');
    clock += 4_000;
    rooms.confirm('a', 'room-2');
    clock += 4_000;
    expect(rooms.get('a')).toBe('room-2');
    rooms.forget('a');
    expect(rooms.get('a')).toBeUndefined();
  });

  it('holds at most its capacity, dropping the least recently confirmed', () => {
    const rooms = new ConfirmedRooms(60_000, 3, now);
    for (const id of ['a', 'b', 'c']) rooms.confirm(id, `room-${id}`);
    rooms.confirm('a', 'room-a');
    rooms.confirm('d', 'room-d');
    expect(rooms.size).toBe(3);
    expect(rooms.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((id) => rooms.get(id))).toEqual(['room-a', 'room-c', 'room-d']);
  });
});
