import { GHLNetworkError, GHLRateLimitError, GHLServerError, GHLValidationError } from '@gohighlevel/api-client';
import { describe, expect, it } from 'vitest';
import { classifyFailure, PermanentSyncError, RetryAfterError } from '../dlq/sync-errors.js';
import {
  CreateOutcomeUnknownError,
  DuplicateContactError,
  translated,
  UnknownPropertyError,
  UpstreamValidationError,
} from './ghl-errors.js';

const duplicate = {
  statusCode: 400,
  message: 'This location does not allow duplicated contacts.',
  meta: { contactId: 'abc123', contactName: 'Ann Lee', matchingField: 'email' },
};

describe('translated (GHL errors into the sync’s)', () => {
  it('names the existing contact of a duplicate 400', () => {
    const error = translated(new GHLValidationError(duplicate.message, 400, duplicate), 'create');
    expect(error).toBeInstanceOf(DuplicateContactError);
    expect(error).toMatchObject({
      existingContactId: 'abc123',
      matchingField: 'email',
      existingContactName: 'Ann Lee',
    });
    expect(classifyFailure(error)).toEqual({ errorClass: 'DuplicateContact', retryable: false });
  });

  it.each([
    [
      '422 property X should not exist',
      new GHLValidationError('property gender should not exist', 422, {
        statusCode: 422,
        message: ['property gender should not exist'],
        error: 'Unprocessable Entity',
      }),
      UnknownPropertyError,
      'UnknownProperty',
    ],
    [
      'another 422',
      new GHLValidationError('email must be an email', 422, { statusCode: 422, message: ['email must be an email'] }),
      UpstreamValidationError,
      'UpstreamValidationFailed',
    ],
    [
      'a 400 without meta',
      new GHLValidationError('This location does not allow duplicated contacts.', 400, { statusCode: 400 }),
      UpstreamValidationError,
      'UpstreamValidationFailed',
    ],
  ])('%s on a write is permanent', (_name, error, type, errorClass) => {
    const failure = translated(error, 'write');
    expect(failure).toBeInstanceOf(type);
    expect(classifyFailure(failure)).toEqual({ errorClass, retryable: false });
  });

  it('keeps reads as before: a 4xx is UpstreamRejected', () => {
    const failure = translated(new GHLValidationError('bad', 422, { message: ['bad'] }));
    expect(failure).toBeInstanceOf(PermanentSyncError);
    expect(classifyFailure(failure).errorClass).toBe('UpstreamRejected');
  });

  it('makes a 5xx or a lost answer on a create CreateOutcomeUnknown, and leaves other writes retryable', () => {
    for (const error of [new GHLServerError('boom', 503), new GHLNetworkError('Network error')]) {
      const failure = translated(error, 'create');
      expect(failure).toBeInstanceOf(CreateOutcomeUnknownError);
      expect((failure as Error).cause).toBe(error);
      expect(classifyFailure(failure)).toEqual({ errorClass: 'CreateOutcomeUnknown', retryable: true });
      expect(translated(error, 'write')).toBe(error);
    }
  });

  it('waits out a 429 on any operation', () => {
    const limited = new GHLRateLimitError('Too Many Requests', 429, {}, {}, { scope: 'burst', intervalMs: 10_000 });
    for (const operation of ['read', 'create', 'write'] as const) {
      expect(translated(limited, operation)).toEqual(expect.any(RetryAfterError));
    }
  });
});
