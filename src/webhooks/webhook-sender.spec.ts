import { retryDelayMs } from './webhook-sender.js';

describe('webhook retry policy', () => {
  it('waits 1 s after the first failed try, doubling each time, never more than 1 h', () => {
    const middle = [1, 2, 3, 4, 5].map((attempts) => retryDelayMs(attempts, 0.5));
    expect(middle).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(retryDelayMs(12, 0.5)).toBe(2_048_000);
    expect(retryDelayMs(13, 0.5)).toBe(3600_000);
    expect(retryDelayMs(40, 0.5)).toBe(3600_000);
  });

  it('spreads retries by ±10 % so receivers coming back are not hit all at once', () => {
    expect(retryDelayMs(1, 0)).toBe(900);
    expect(retryDelayMs(1, 1)).toBe(1_100);
    expect(retryDelayMs(40, 1)).toBe(3960_000);
  });
});
