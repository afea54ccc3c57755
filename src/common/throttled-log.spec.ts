import { Logger } from '@nestjs/common';
import { ThrottledLog } from './throttled-log.js';
import { TIMED_OUT, withinTimeLimit } from './time-limit.js';

class RecordingLogger extends Logger {
  readonly lines: string[] = [];
  override warn(message: string): void {
    this.lines.push(message);
  }
}

describe('ThrottledLog', () => {
  it('logs the first warning, then at most one per interval with the count suppressed', () => {
    const logger = new RecordingLogger();
    const log = new ThrottledLog(logger, 1_000);
    log.warn('redis down', 0);
    for (let t = 1; t < 1_000; t += 100) log.warn('redis down', t);
    log.warn('redis down', 1_000);
    log.warn('redis down', 1_500);
    log.warn('redis down', 2_100);
    expect(logger.lines).toEqual([
      'redis down',
      'redis down (and 10 more since the last one)',
      'redis down (and 1 more since the last one)',
    ]);
  });
});

describe('withinTimeLimit', () => {
  it('gives the result in time, TIMED_OUT otherwise, and never leaves a rejection unhandled', async () => {
    expect(await withinTimeLimit(Promise.resolve(7), 50)).toBe(7);
    const never = new Promise<number>(() => undefined);
    expect(await withinTimeLimit(never, 20)).toBe(TIMED_OUT);
    const late = new Promise<number>((_, reject) =>
      setTimeout(() => reject(new Error('late')), 40),
    );
    expect(await withinTimeLimit(late, 10)).toBe(TIMED_OUT);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await expect(withinTimeLimit(Promise.reject(new Error('now')), 50)).rejects.toThrow('now');
  });
});
