import {
  GHLError,
  GHLNetworkError,
  GHLRateLimitError,
  GHLServerError,
  type RateLimitInfo,
} from '@gohighlevel/api-client';
import { PermanentSyncError, RetryableSyncError, RetryAfterError } from '../dlq/sync-errors.js';

/** When a daily-limit 429 does not say when the day resets, try again in an hour. */
const DAILY_LIMIT_FALLBACK_SECONDS = 3_600;
const DUPLICATE_MESSAGE = /does not allow duplicated contacts/i;
const UNKNOWN_PROPERTY = /^property (\S+) should not exist$/;

/** What a request does to GHL's data: the translation of a failure depends on it. */
export type GhlOperation = 'read' | 'create' | 'write';

/**
 * A create refused because the location does not allow duplicates and a contact already has the
 * email or phone: GHL names that contact, so the caller links to it (and updates it) instead.
 */
export class DuplicateContactError extends PermanentSyncError {
  constructor(
    message: string,
    readonly existingContactId: string,
    readonly matchingField: string | null,
    readonly existingContactName: string | null,
  ) {
    super(message, 'DuplicateContact');
    this.name = 'DuplicateContactError';
  }
}

/** GHL's 422 `property X should not exist`: the body carries a field this endpoint does not take. */
export class UnknownPropertyError extends PermanentSyncError {
  constructor(
    message: string,
    readonly properties: string[],
  ) {
    super(message, 'UnknownProperty');
    this.name = 'UnknownPropertyError';
  }
}

/** Any other 400 / 422 on a write: GHL rejected the values; sending them again cannot help. */
export class UpstreamValidationError extends PermanentSyncError {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly messages: string[],
  ) {
    super(message, 'UpstreamValidationFailed');
    this.name = 'UpstreamValidationError';
  }
}

/**
 * A create that timed out, failed with a 5xx or lost its connection: the contact may exist in GHL
 * now (GHL has no idempotency keys, and even a failed create can store the contact, [ISS#64]).
 * Retryable, but only after looking the contact up by email and phone: never create it blind again.
 */
export class CreateOutcomeUnknownError extends RetryableSyncError {
  constructor(message: string, cause: unknown) {
    super(message, 'CreateOutcomeUnknown', { cause });
    this.name = 'CreateOutcomeUnknownError';
  }
}

/** The one place GHL's errors become the sync's. */
export function translated(error: unknown, operation: GhlOperation = 'read'): unknown {
  if (error instanceof GHLRateLimitError) {
    return new RetryAfterError(
      `GHL rate limit (${error.rateLimit?.scope ?? 'unknown'}): ${error.message}`,
      waitSeconds(error.rateLimit),
    );
  }
  if (error instanceof GHLServerError || error instanceof GHLNetworkError) {
    if (operation === 'create') {
      return new CreateOutcomeUnknownError(
        `GHL create failed without an answer (${error.statusCode ?? error.message}); the contact may exist now`,
        error,
      );
    }
    return error;
  }
  if (
    !(error instanceof GHLError) ||
    error.statusCode === undefined ||
    error.statusCode < 400 ||
    error.statusCode >= 500
  )
    return error;
  if (operation !== 'read' && (error.statusCode === 400 || error.statusCode === 422)) {
    return writeRejection(error.statusCode, error.message, error.response);
  }
  return new PermanentSyncError(`GHL answered ${error.statusCode}: ${error.message}`, 'UpstreamRejected');
}

function writeRejection(statusCode: number, message: string, body: unknown): PermanentSyncError {
  const answer = (typeof body === 'object' && body !== null ? body : {}) as {
    message?: unknown;
    meta?: { contactId?: unknown; contactName?: unknown; matchingField?: unknown };
  };
  const text = `GHL answered ${statusCode}: ${message}`;
  if (DUPLICATE_MESSAGE.test(message) && typeof answer.meta?.contactId === 'string') {
    const { contactId, contactName, matchingField } = answer.meta;
    return new DuplicateContactError(
      text,
      contactId,
      typeof matchingField === 'string' ? matchingField : null,
      typeof contactName === 'string' ? contactName : null,
    );
  }
  const messages = (Array.isArray(answer.message) ? answer.message : [answer.message ?? message]).map(String);
  const unknown = messages.map((line) => UNKNOWN_PROPERTY.exec(line)?.[1]).filter((name) => name !== undefined);
  if (unknown.length > 0) return new UnknownPropertyError(text, unknown);
  return new UpstreamValidationError(text, statusCode, messages);
}

function waitSeconds(rateLimit: RateLimitInfo | undefined): number {
  if (rateLimit?.scope === 'daily') {
    return rateLimit.dailyResetMs ? Math.ceil(rateLimit.dailyResetMs / 1000) : DAILY_LIMIT_FALLBACK_SECONDS;
  }
  return Math.max(1, Math.ceil((rateLimit?.intervalMs ?? 10_000) / 1000));
}
