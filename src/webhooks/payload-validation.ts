import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { WebhookRejection, WebhookRejectionCode } from './webhook-rejection.js';

/**
 * Validates a parsed delivery against a DTO. Unknown fields pass (GHL adds fields without notice);
 * the first problem's field path is named in the rejection, every problem in its reason.
 */
export function assertValidPayload<T extends object>(dto: new () => T, payload: Record<string, unknown>): T {
  const instance = plainToInstance(dto, payload);
  const problems = validateSync(instance, { forbidUnknownValues: false }).flatMap((error) => describe(error, ''));
  if (problems.length > 0) {
    const reason = problems.map((problem) => problem.message).join('; ');
    throw new WebhookRejection(WebhookRejectionCode.PayloadInvalid, reason, problems[0]!.field);
  }
  return instance;
}

function describe(error: ValidationError, parent: string): { field: string; message: string }[] {
  const field = parent ? `${parent}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {}).map((message) => ({
    field,
    message: message.replace(error.property, field),
  }));
  return [...own, ...(error.children ?? []).flatMap((child) => describe(child, field))];
}
