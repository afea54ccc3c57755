import { normalizeRoomId } from './room-id.js';

describe('normalizeRoomId', () => {
  it.each([
    ['abc-defg-hij', 'abc-defg-hij'],
    ['  abc-defg-hij  ', 'abc-defg-hij'],
    ['http://localhost:5173/meet/abc-defg-hij', 'abc-defg-hij'],
    ['https://meet.example.com/meet/abc-defg-hij/', 'abc-defg-hij'],
    ['http://host/meet/abc-defg-hij?x=1#top', 'abc-defg-hij'],
    ['http://host/caf%C3%A9%20room', 'café room'],
    ['HTTP://HOST/Room', 'Room'],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
    ['x'.repeat(128), 'x'.repeat(128)],
  ])('%j → %j', (input, expected) => {
    expect(normalizeRoomId(input)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['too long', 'x'.repeat(129)],
    ['URL without a path segment', 'http://host/'],
    ['bad percent-encoding', 'http://host/meet/%E0%A4%A'],
    ['number', 42],
    ['object', { roomId: 'abc' }],
    ['null', null],
  ])('rejects %s', (_label, input) => {
    expect(normalizeRoomId(input)).toBeUndefined();
  });
});
