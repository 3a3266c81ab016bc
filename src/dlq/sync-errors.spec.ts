import { describe, expect, it } from 'vitest';
import {
  classifyFailure,
  PermanentSyncError,
  playbookFileOf,
  RetryableSyncError,
  RetryAfterError,
  ERROR_CLASSES,
} from './sync-errors.js';
import { readPlaybook } from './playbooks.js';

describe('classifyFailure', () => {
  const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

  it.each([
    ['a permanent error', new PermanentSyncError('no startTime'), { errorClass: 'InvalidPayload', retryable: false }],
    [
      'a GHL rejection',
      new PermanentSyncError('401', 'UpstreamRejected'),
      { errorClass: 'UpstreamRejected', retryable: false },
    ],
    [
      'a rate limit',
      new RetryAfterError('429', 12),
      { errorClass: 'RateLimited', retryable: true, retryAfterSeconds: 12 },
    ],
    [
      'a create whose outcome is unknown',
      new RetryableSyncError('timeout', 'CreateOutcomeUnknown'),
      { errorClass: 'CreateOutcomeUnknown', retryable: true },
    ],
    ['a refused connection', withCode('ECONNREFUSED'), { errorClass: 'DatabaseUnavailable', retryable: true }],
    ['a server shutting down', withCode('57P01'), { errorClass: 'DatabaseUnavailable', retryable: true }],
    ['a server in crash recovery', withCode('57P03'), { errorClass: 'DatabaseUnavailable', retryable: true }],
    ['Prisma: server closed the connection', withCode('P1017'), { errorClass: 'DatabaseUnavailable', retryable: true }],
    ["Prisma: can't reach the server", withCode('P1001'), { errorClass: 'DatabaseUnavailable', retryable: true }],
    [
      'a wrapped connection error',
      Object.assign(new Error('query failed'), { cause: withCode('ECONNRESET') }),
      { errorClass: 'DatabaseUnavailable', retryable: true },
    ],
    ['a unique violation', withCode('23505'), { errorClass: 'ConstraintViolation', retryable: true }],
    ['Prisma record not found', withCode('P2025'), { errorClass: 'ConstraintViolation', retryable: true }],
    ['anything else', new TypeError('x is undefined'), { errorClass: 'Unexpected', retryable: true }],
    ['a thrown string', 'boom', { errorClass: 'Unexpected', retryable: true }],
  ])('%s', (_name, error, expected) => {
    expect(classifyFailure(error)).toEqual(expected);
  });

  it('has a reviewed playbook for every error class, saying whether replay is safe', () => {
    for (const errorClass of ERROR_CLASSES) {
      const text = readPlaybook(playbookFileOf(errorClass));
      expect(text.split('\n')[0]).toBe(`# ${errorClass}`);
      for (const section of ['What it means', 'How to check', 'How to fix', 'Replay is safe'])
        expect(text).toContain(section);
    }
  });
});
