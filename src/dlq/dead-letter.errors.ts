/** Why a dead-letter operation was refused; the resolver and the CLI each map these in one place. */
export enum DeadLetterErrorCode {
  NotFound = 'NOT_FOUND',
  ReasonRequired = 'REASON_REQUIRED',
  AlreadyResolved = 'ALREADY_RESOLVED',
}

export class DeadLetterError extends Error {
  constructor(
    readonly code: DeadLetterErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DeadLetterError';
  }
}
