import { SignalingFailure } from './errors.js';
import { CHAT_TEXT_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH, SIGNAL_MAX_BYTES } from './limits.js';
import {
  MESSAGE_PARSERS,
  parseChatMessage,
  parseDisplayName,
  parseJoinCall,
  parseMediaState,
  parseRaiseHand,
  parseSignal,
} from './messages.js';

const GUEST = { signedIn: false };
const SIGNED_IN = { signedIn: true };

function refusal(result: unknown): string {
  if (!(result instanceof SignalingFailure)) throw new Error(`accepted: ${JSON.stringify(result)}`);
  expect(result.code).toBe('invalid-argument');
  return result.message;
}

describe('parseDisplayName (the one display-name rule)', () => {
  it('trims, and leaves absent, null and blank names to the caller default', () => {
    expect(parseDisplayName('  Ada  ', 'display name')).toBe('Ada');
    expect(parseDisplayName(undefined, 'display name')).toBeUndefined();
    expect(parseDisplayName(null, 'display name')).toBeUndefined();
    expect(parseDisplayName('   ', 'display name')).toBeUndefined();
    expect(parseDisplayName('n'.repeat(DISPLAY_NAME_MAX_LENGTH), 'sender')).toHaveLength(64);
  });

  it.each([
    ['an object', { $gt: '' }, 'sender must be a string'],
    ['a number', 42, 'sender must be a string'],
    ['an array', ['Ada'], 'sender must be a string'],
    ['65 characters', 'n'.repeat(65), 'sender must be at most 64 characters'],
  ])('refuses %s, naming the field', (_label, raw, message) => {
    expect(refusal(parseDisplayName(raw, 'sender'))).toBe(message);
  });
});

describe('parseJoinCall', () => {
  it('takes a meeting code or the meeting page URL, and an optional name', () => {
    expect(parseJoinCall(['abc-defg-hij'], GUEST)).toEqual({ roomId: 'abc-defg-hij' });
    expect(parseJoinCall(['http://localhost:5173/meet/abc-defg-hij', ' Ada '], GUEST)).toEqual({
      roomId: 'abc-defg-hij',
      displayName: 'Ada',
    });
    expect(parseJoinCall(['room', ''], GUEST)).toEqual({ roomId: 'room' });
    expect(parseJoinCall(['__proto__', null], GUEST)).toEqual({ roomId: '__proto__' });
  });

  it("ignores the name a signed-in caller sends: the account's is used, however long", () => {
    expect(parseJoinCall(['room', 'n'.repeat(100)], SIGNED_IN)).toEqual({ roomId: 'room' });
    expect(parseJoinCall(['room', { $gt: '' }], SIGNED_IN)).toEqual({ roomId: 'room' });
    refusal(parseJoinCall([42, 'Ada'], SIGNED_IN));
  });

  it.each([
    ['no arguments', []],
    ['a number', [42]],
    ['an object', [{ room: 'x' }]],
    ['a 10 KB id', ['r'.repeat(10_240)]],
    ['a blank id', ['   ']],
    ['a URL without a path', ['http://host/']],
    ['a name that is an object', ['room', { $gt: '' }]],
    ['a 65-character name', ['room', 'n'.repeat(65)]],
  ])('refuses %s', (_label, args) => {
    refusal(parseJoinCall(args, GUEST));
  });
});

describe('parseSignal', () => {
  it('passes a JSON string or a plain object through unchanged', () => {
    const payload = '{"sdp":{"type":"offer"}}';
    expect(parseSignal(['target', payload])).toEqual({ targetSocketId: 'target', payload });
    const object = { ice: { candidate: 'c' } };
    expect(parseSignal(['target', object])).toEqual({ targetSocketId: 'target', payload: object });
  });

  it('accepts a payload of exactly the limit, counted in UTF-8 bytes', () => {
    expect(parseSignal(['t', 'x'.repeat(SIGNAL_MAX_BYTES)])).not.toBeInstanceOf(SignalingFailure);
    // '€' is 3 bytes in UTF-8: the limit is about a third of it in characters.
    const fits = Math.floor(SIGNAL_MAX_BYTES / 3);
    expect(parseSignal(['t', '€'.repeat(fits)])).not.toBeInstanceOf(SignalingFailure);
    expect(refusal(parseSignal(['t', '€'.repeat(fits + 1)]))).toBe(
      'signal payload must be at most 64 KB',
    );
  });

  it.each([
    ['no arguments', []],
    ['a non-string target', [{ id: 'x' }, 'msg']],
    ['an empty target', ['', 'msg']],
    ['a 65-character target', ['t'.repeat(65), 'msg']],
    ['no payload', ['someone']],
    ['a numeric payload', ['someone', 12]],
    ['an array payload', ['someone', ['a']]],
    ['a null payload', ['someone', null]],
    ['a payload with a prototype', ['someone', new Date()]],
    ['a string over 64 KB', ['someone', 'x'.repeat(SIGNAL_MAX_BYTES + 1)]],
    ['an object over 64 KB', ['someone', { blob: 'x'.repeat(SIGNAL_MAX_BYTES) }]],
  ])('refuses %s', (_label, args) => {
    refusal(parseSignal(args));
  });
});

describe('parseChatMessage', () => {
  it('trims the text and the optional sender name', () => {
    expect(parseChatMessage(['  hello  '], GUEST)).toEqual({ text: 'hello' });
    expect(parseChatMessage(['hi', ' Bob '], GUEST)).toEqual({ text: 'hi', senderName: 'Bob' });
    expect(parseChatMessage(['hi', '  '], GUEST)).toEqual({ text: 'hi' });
    expect(parseChatMessage(['c'.repeat(CHAT_TEXT_MAX_LENGTH)], GUEST)).toEqual({
      text: 'c'.repeat(2000),
    });
  });

  it('ignores the sender name a signed-in caller sends, but not the text', () => {
    expect(parseChatMessage(['hi', 's'.repeat(100)], SIGNED_IN)).toEqual({ text: 'hi' });
    refusal(parseChatMessage(['   ', 'Ada'], SIGNED_IN));
  });

  it.each([
    ['no text', []],
    ['a number', [7]],
    ['only spaces', ['    ']],
    ['over 2,000 characters', ['c'.repeat(2001)]],
    ['a sender that is an object', ['hi', { name: 'x' }]],
    ['a 65-character sender', ['hi', 's'.repeat(65)]],
  ])('refuses %s', (_label, args) => {
    refusal(parseChatMessage(args, GUEST));
  });
});

describe('parseMediaState and parseRaiseHand', () => {
  it('keeps exactly the three media booleans', () => {
    expect(parseMediaState([{ audio: true, video: false, screen: true, extra: 'x' }])).toEqual({
      media: { audio: true, video: false, screen: true },
    });
    expect(parseRaiseHand([true])).toEqual({ raised: true });
    expect(parseRaiseHand([false])).toEqual({ raised: false });
  });

  it.each([
    ['a string', ['on']],
    ['a missing field', [{ audio: true, video: false }]],
    ['non-booleans', [{ audio: 'yes', video: false, screen: false }]],
    ['an array', [[true, true, true]]],
    ['nothing', []],
  ])('refuses media state that is %s', (_label, args) => {
    refusal(parseMediaState(args));
  });

  it.each([['true'], [1], [null], [undefined]])('refuses a raised hand of %j', (raised) => {
    refusal(parseRaiseHand([raised]));
  });
});

describe('MESSAGE_PARSERS', () => {
  it('survives any garbage for every event without throwing', () => {
    const garbage: unknown[][] = [
      [],
      [null],
      [undefined, undefined],
      [[1, 2, 3]],
      [{ toString: 'x' }],
      [Object.create(null)],
      ['x'.repeat(100_000)],
    ];
    for (const parse of Object.values(MESSAGE_PARSERS)) {
      for (const args of garbage) {
        expect(() => parse(args, GUEST)).not.toThrow();
        expect(() => parse(args, SIGNED_IN)).not.toThrow();
      }
    }
  });
});
