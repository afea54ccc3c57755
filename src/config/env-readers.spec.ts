import { formatDuration, parseByteSize, parseDurationSeconds } from './env-readers.js';

describe('parseByteSize, parseDurationSeconds and formatDuration', () => {
  it.each([
    ['40kb', 40960],
    ['2048', 2048],
    ['1MB', 1048576],
    ['12 b', 12],
    ['lots', undefined],
    ['1.5kb', undefined],
  ])('parseByteSize(%j) = %j', (input, expected) => {
    expect(parseByteSize(input)).toBe(expected);
  });

  it.each([
    ['3600', 3600],
    ['1s', 1],
    ['15m', 900],
    ['12h', 43200],
    ['7d', 604800],
    ['0', undefined],
    ['-5', undefined],
    ['1w', undefined],
    ['99999999999999999999d', undefined],
  ])('parseDurationSeconds(%j) = %j', (input, expected) => {
    expect(parseDurationSeconds(input)).toBe(expected);
  });

  it.each([
    [1, '1s'],
    [90, '90s'],
    [900, '15m'],
    [86400, '1d'],
    [90000, '25h'],
    [365 * 86400, '365d'],
  ])('formatDuration(%j) = %j', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });
});
