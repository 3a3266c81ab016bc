/**
 * Errors the sync throws on purpose, by what a retry can do about them. Anything else is
 * classified from its shape (see classifyFailure).
 */

/** A retry can never succeed: the payload, or what it refers to, is wrong. Dead-lettered at once. */
export class PermanentSyncError extends Error {
  constructor(
    message: string,
    readonly errorClass: ErrorClass = 'InvalidPayload',
  ) {
    super(message);
    this.name = 'PermanentSyncError';
  }
}

/** A retry can succeed, and the failure is one an operator should recognise by its class (and playbook). */
export class RetryableSyncError extends Error {
  constructor(
    message: string,
    readonly errorClass: ErrorClass,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RetryableSyncError';
  }
}

/** The other side asked us to wait (GHL 429 with rate-limit headers): retry after that, not by the schedule. */
export class RetryAfterError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'RetryAfterError';
  }
}

/** Each has a playbook, src/dlq/playbooks/<kebab-case>.md. */
export const ERROR_CLASSES = [
  'DatabaseUnavailable',
  'InvalidPayload',
  'ConstraintViolation',
  'RateLimited',
  'UpstreamRejected',
  'UpstreamValidationFailed',
  'UnknownProperty',
  'DuplicateContact',
  'CreateOutcomeUnknown',
  'OutboundLoopSuspected',
  'Unexpected',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export interface ClassifiedFailure {
  readonly errorClass: ErrorClass;
  readonly retryable: boolean;
  /** Set when the error says how long to wait; overrides the retry schedule. */
  readonly retryAfterSeconds?: number;
}

/** Socket errors, Postgres's connection-exception and shutdown codes, and Prisma's connection codes. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
  'P1001',
  'P1002',
  'P1008',
  'P1017',
]);

/** What kind of failure this is, and whether waiting and trying again can fix it. */
export function classifyFailure(error: unknown): ClassifiedFailure {
  if (error instanceof PermanentSyncError) return { errorClass: error.errorClass, retryable: false };
  if (error instanceof RetryableSyncError) return { errorClass: error.errorClass, retryable: true };
  if (error instanceof RetryAfterError) {
    return { errorClass: 'RateLimited', retryable: true, retryAfterSeconds: error.retryAfterSeconds };
  }
  const code = codeOf(error);
  if (code && CONNECTION_CODES.has(code)) return { errorClass: 'DatabaseUnavailable', retryable: true };
  if (code && /^(23\d{3}|P2002|P2003|P2025)$/.test(code)) return { errorClass: 'ConstraintViolation', retryable: true };
  if (error instanceof Error && /connect|connection|terminat/i.test(error.message)) {
    return { errorClass: 'DatabaseUnavailable', retryable: true };
  }
  return { errorClass: 'Unexpected', retryable: true };
}

function codeOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const candidate = current as { code?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string') return candidate.code;
    current = candidate.cause;
  }
  return undefined;
}

/** The playbook file of an error class: `DatabaseUnavailable` → `database-unavailable.md`. */
export function playbookFileOf(errorClass: ErrorClass): string {
  return `${errorClass.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.md`;
}
