import { HttpStatus } from '@nestjs/common';

/** Why a delivery was refused; each reason has exactly one HTTP status (see `statusOf`). */
export enum WebhookRejectionCode {
  SourceNotAllowed = 'SOURCE_NOT_ALLOWED',
  SignatureInvalid = 'SIGNATURE_INVALID',
  TimestampOutsideWindow = 'TIMESTAMP_OUTSIDE_WINDOW',
  NotJson = 'NOT_JSON',
  PayloadInvalid = 'PAYLOAD_INVALID',
  PayloadTooDeep = 'PAYLOAD_TOO_DEEP',
  TemporarilyUnavailable = 'TEMPORARILY_UNAVAILABLE',
}

const STATUS: Record<WebhookRejectionCode, HttpStatus> = {
  [WebhookRejectionCode.SourceNotAllowed]: HttpStatus.FORBIDDEN,
  [WebhookRejectionCode.SignatureInvalid]: HttpStatus.UNAUTHORIZED,
  [WebhookRejectionCode.TimestampOutsideWindow]: HttpStatus.UNAUTHORIZED,
  [WebhookRejectionCode.NotJson]: HttpStatus.BAD_REQUEST,
  [WebhookRejectionCode.PayloadInvalid]: HttpStatus.BAD_REQUEST,
  [WebhookRejectionCode.PayloadTooDeep]: HttpStatus.BAD_REQUEST,
  // GHL retries a delivery only when it is answered 429; any 5xx would lose it.
  [WebhookRejectionCode.TemporarilyUnavailable]: HttpStatus.TOO_MANY_REQUESTS,
};

export class WebhookRejection extends Error {
  constructor(
    readonly code: WebhookRejectionCode,
    readonly reason: string,
    /** The payload field at fault, for PAYLOAD_INVALID. */
    readonly field?: string,
  ) {
    super(reason);
    this.name = 'WebhookRejection';
  }

  get status(): HttpStatus {
    return STATUS[this.code];
  }
}
