import { describe, expect, it } from 'vitest';
import { nextStepAfter } from './retry-schedule.js';

const SCHEDULE = [60, 300, 900, 3600, 21_600];
const transient = { errorClass: 'DatabaseUnavailable', retryable: true } as const;

describe('nextStepAfter', () => {
  it.each([
    [1, 2, 60],
    [2, 3, 300],
    [3, 4, 900],
    [4, 5, 3600],
    [5, 6, 21_600],
  ])('after failed attempt %i, attempt %i runs %i s later', (failed, attempt, delaySeconds) => {
    expect(nextStepAfter(transient, failed, SCHEDULE)).toEqual({ kind: 'retry', attempt, delaySeconds });
  });

  it('dead-letters when the sixth attempt (the fifth retry) fails', () => {
    expect(nextStepAfter(transient, 6, SCHEDULE)).toEqual({ kind: 'dead-letter', attempts: 6, why: 'exhausted' });
  });

  it('dead-letters an error a retry cannot fix at once', () => {
    expect(nextStepAfter({ errorClass: 'InvalidPayload', retryable: false }, 1, SCHEDULE)).toEqual({
      kind: 'dead-letter',
      attempts: 1,
      why: 'permanent',
    });
  });

  it('waits as long as a rate limit asks, instead of the schedule, and still counts the attempt', () => {
    const limited = { errorClass: 'RateLimited', retryable: true, retryAfterSeconds: 7 } as const;
    expect(nextStepAfter(limited, 1, SCHEDULE)).toEqual({ kind: 'retry', attempt: 2, delaySeconds: 7 });
    expect(nextStepAfter(limited, 6, SCHEDULE)).toMatchObject({ kind: 'dead-letter', why: 'exhausted' });
  });

  it('follows a schedule given in seconds', () => {
    expect(nextStepAfter(transient, 2, [1, 2, 3])).toEqual({ kind: 'retry', attempt: 3, delaySeconds: 2 });
    expect(nextStepAfter(transient, 4, [1, 2, 3])).toMatchObject({ kind: 'dead-letter', attempts: 4 });
  });
});
