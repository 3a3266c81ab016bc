import { plainToInstance, Transform, Type } from 'class-transformer';
import { IsOptional, IsString, validateSync, ValidateNested, type ValidationError } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { GhlAppointmentWebhookDto } from '../bookings/dto/appointment-webhook.dto.js';
import { GhlContactWebhookDto, GhlCustomFieldValueDto } from '../contacts/dto/contact-webhook.dto.js';
import { GhlOpportunityWebhookDto } from '../opportunities/dto/opportunity-webhook.dto.js';
import { GhlWebhookEnvelopeDto } from './dto/webhook-envelope.dto.js';
import { assertValidPayload } from './payload-validation.js';
import { WebhookRejection } from './webhook-rejection.js';

type Verdict = { ok: true } | { ok: false; field: string; reason: string };

/** What the intake answered with class-transformer's plainToInstance, the code this replaces. */
function withPlainToInstance(dto: new () => object, payload: Record<string, unknown>): Verdict {
  const flatten = (error: ValidationError, parent: string): { field: string; message: string }[] => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.replace(error.property, field),
    }));
    return [...own, ...(error.children ?? []).flatMap((child) => flatten(child, field))];
  };
  const problems = validateSync(plainToInstance(dto, payload), { forbidUnknownValues: false }).flatMap((error) =>
    flatten(error, ''),
  );
  return problems.length === 0
    ? { ok: true }
    : { ok: false, field: problems[0]!.field, reason: problems.map((problem) => problem.message).join('; ') };
}

function verdictOf(dto: new () => object, payload: Record<string, unknown>): Verdict {
  try {
    assertValidPayload(dto, payload);
    return { ok: true };
  } catch (error) {
    if (!(error instanceof WebhookRejection)) throw error;
    return { ok: false, field: error.field!, reason: error.reason };
  }
}

const timestamp = '2026-11-29T10:00:00.000Z';
const contact = {
  type: 'ContactUpdate',
  locationId: 'l1',
  id: 'c1',
  email: 'a@example.com',
  tags: ['a', 'b'],
  customFields: [{ id: 'f1', value: 'x' }],
  dnd: false,
  attachments: [],
  timestamp,
};
const appointment = {
  type: 'AppointmentUpdate',
  locationId: 'l1',
  appointment: { id: 'a1', startTime: '2026-12-07T16:00:00+05:30', users: ['u1'], notes: { any: ['thing'] } },
  timestamp,
};
const opportunity = { type: 'OpportunityUpdate', locationId: 'l1', id: 'o1', monetaryValue: 40, timestamp };

describe('assertValidPayload', () => {
  // Every case must get the verdict (and the same field and messages) plainToInstance gave.
  it.each<[string, new () => object, Record<string, unknown>]>([
    ['a full contact', GhlContactWebhookDto, contact],
    ['a contact with unknown fields of every kind', GhlContactWebhookDto, { ...contact, x: { y: [1, { z: null }] } }],
    ['a contact without id', GhlContactWebhookDto, { ...contact, id: undefined }],
    ['a contact with an empty id', GhlContactWebhookDto, { ...contact, id: '' }],
    ['tags that are not strings', GhlContactWebhookDto, { ...contact, tags: ['ok', 7] }],
    ['tags that are not a list', GhlContactWebhookDto, { ...contact, tags: 'a' }],
    ['null tags and custom fields', GhlContactWebhookDto, { ...contact, tags: null, customFields: null }],
    ['a custom field without id', GhlContactWebhookDto, { ...contact, customFields: [{ value: 'x' }] }],
    ['a custom field that is text', GhlContactWebhookDto, { ...contact, customFields: ['x'] }],
    ['a custom field that is null', GhlContactWebhookDto, { ...contact, customFields: [null] }],
    ['custom fields nested in a list', GhlContactWebhookDto, { ...contact, customFields: [[{ value: 'x' }]] }],
    ['custom fields that are an object', GhlContactWebhookDto, { ...contact, customFields: { id: 'f1' } }],
    ['a malformed dateUpdated', GhlContactWebhookDto, { ...contact, dateUpdated: 'yesterday' }],
    ['several problems at once', GhlContactWebhookDto, { ...contact, id: 1, email: 2, customFields: [{}] }],
    ['a full appointment', GhlAppointmentWebhookDto, appointment],
    ['no appointment', GhlAppointmentWebhookDto, { ...appointment, appointment: undefined }],
    ['an appointment that is text', GhlAppointmentWebhookDto, { ...appointment, appointment: 'a1' }],
    ['an appointment without startTime', GhlAppointmentWebhookDto, { ...appointment, appointment: { id: 'a1' } }],
    [
      'appointment users that are not strings',
      GhlAppointmentWebhookDto,
      { ...appointment, appointment: { ...appointment.appointment, users: [1] } },
    ],
    ['an appointment in a list', GhlAppointmentWebhookDto, { ...appointment, appointment: [appointment.appointment] }],
    ['a full opportunity', GhlOpportunityWebhookDto, opportunity],
    ['a monetary value that is text', GhlOpportunityWebhookDto, { ...opportunity, monetaryValue: '40' }],
    ['a NaN-like monetary value', GhlOpportunityWebhookDto, { ...opportunity, monetaryValue: null }],
    ['an envelope', GhlWebhookEnvelopeDto, contact],
    ['an envelope with a numeric type', GhlWebhookEnvelopeDto, { ...contact, type: 42 }],
    ['an envelope with a malformed timestamp', GhlWebhookEnvelopeDto, { ...contact, timestamp: '29/11/2026' }],
    ['an envelope with an empty webhookId', GhlWebhookEnvelopeDto, { ...contact, webhookId: '' }],
  ])('%s: as plainToInstance did', (_name, dto, payload) => {
    const parsed = JSON.parse(JSON.stringify(payload)) as Record<string, unknown>;
    expect(verdictOf(dto, parsed)).toEqual(withPlainToInstance(dto, parsed));
  });

  it('names the first bad field and lists every problem', () => {
    expect(verdictOf(GhlContactWebhookDto, { ...contact, id: 1, customFields: [{ value: 'x' }] })).toEqual({
      ok: false,
      field: 'id',
      reason: 'id must be a string; customFields.0.id should not be empty; customFields.0.id must be a string',
    });
  });

  it('copies only declared properties, nested ones as DTO instances, other values by reference', () => {
    const payload = JSON.parse(JSON.stringify({ ...contact, junk: { deep: [1] } })) as Record<string, unknown>;
    const instance = assertValidPayload(GhlContactWebhookDto, payload);
    expect(instance).toBeInstanceOf(GhlContactWebhookDto);
    expect(instance).not.toHaveProperty('junk');
    expect(instance).not.toHaveProperty('dnd');
    expect(instance).not.toHaveProperty('firstName');
    expect(instance.tags).toBe(payload.tags);
    expect(instance.customFields![0]).toBeInstanceOf(GhlCustomFieldValueDto);
    expect(instance.customFields![0]).toEqual({ id: 'f1', value: 'x' });
  });

  it('refuses DTOs it cannot instantiate as plainToInstance would', () => {
    class Trimmed {
      @IsString()
      @Transform(({ value }: { value: string }) => value.trim())
      name!: string;
    }
    class Untyped {
      @IsString()
      id!: string;
    }
    class PrimitiveType {
      @IsOptional()
      @ValidateNested()
      @Type(() => Untyped)
      ok?: Untyped;

      @IsOptional()
      @Type(() => Number)
      count?: number;
    }
    class NestedUntyped {
      @ValidateNested()
      inner!: Untyped;
    }
    expect(() => assertValidPayload(NestedUntyped, {})).toThrow('NestedUntyped.inner: @ValidateNested needs @Type');
    expect(() => assertValidPayload(Trimmed, { name: ' a ' })).toThrow('Trimmed.name: webhook DTOs support only @Type');
    expect(() => assertValidPayload(PrimitiveType, {})).toThrow(
      'PrimitiveType.count: @Type must name a class-validator DTO',
    );
  });
});
