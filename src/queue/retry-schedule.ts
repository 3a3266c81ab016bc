import type { ClassifiedFailure } from '../dlq/sync-errors.js';

export type NextStep =
  | { readonly kind: 'retry'; readonly attempt: number; readonly delaySeconds: number }
  | { readonly kind: 'dead-letter'; readonly attempts: number; readonly why: 'permanent' | 'exhausted' };

/**
 * What happens after attempt number `failedAttempt` (1 = the first run) failed: the next attempt
 * after `delays[failedAttempt - 1]` (or after the wait the error itself asks for), until the
 * schedule is used up; errors a retry cannot fix go to dead letters at once.
 */
export function nextStepAfter(failure: ClassifiedFailure, failedAttempt: number, delays: readonly number[]): NextStep {
  if (!failure.retryable) return { kind: 'dead-letter', attempts: failedAttempt, why: 'permanent' };
  const scheduled = delays[failedAttempt - 1];
  if (scheduled === undefined) return { kind: 'dead-letter', attempts: failedAttempt, why: 'exhausted' };
  return { kind: 'retry', attempt: failedAttempt + 1, delaySeconds: failure.retryAfterSeconds ?? scheduled };
}
