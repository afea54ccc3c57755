import { GIVE_UP_AFTER_MS } from './webhook-outbox.js';
import { nextAttemptAt, retryDelayMs } from './webhook-sender.js';

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

describe('webhook give-up after 24 h', () => {
  const created = Date.UTC(2030, 0, 1);
  const hour = 3600_000;

  it('schedules the next try after the backoff while it ends before 24 h', () => {
    expect(nextAttemptAt(created, 1, created + 5, 0.5)).toBe(created + 5 + 1_000);
    expect(nextAttemptAt(created, 20, created + 10 * hour, 0.5)).toBe(created + 11 * hour);
  });

  it('clamps the last try to 24 h after the event, however long the backoff', () => {
    // 1 h (+10 %) from 23.5 h would be 24.6 h: the last try happens at 24 h instead.
    expect(nextAttemptAt(created, 20, created + 23.5 * hour, 1)).toBe(created + GIVE_UP_AFTER_MS);
    expect(nextAttemptAt(created, 1, created + GIVE_UP_AFTER_MS - 1, 0.5)).toBe(
      created + GIVE_UP_AFTER_MS,
    );
  });

  it('gives up when a try fails at or after 24 h (the clamped last try, or a late one)', () => {
    expect(nextAttemptAt(created, 25, created + GIVE_UP_AFTER_MS)).toBe('give-up');
    expect(nextAttemptAt(created, 3, created + 30 * hour)).toBe('give-up');
  });

  it('tries about 30 times in 24 h for a receiver that is always down, the last at 24 h', () => {
    let now = created;
    const tries: number[] = [];
    for (let attempts = 1; attempts < 100; attempts++) {
      tries.push(now);
      const next = nextAttemptAt(created, attempts, now, 0.5);
      if (next === 'give-up') break;
      now = next;
    }
    expect(tries[tries.length - 1]).toBe(created + GIVE_UP_AFTER_MS);
    expect(tries.length).toBeGreaterThan(20);
    expect(tries.length).toBeLessThan(40);
  });
});
