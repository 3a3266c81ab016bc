import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { idempotencyKeyOf, objectIdOf } from './idempotency-key.js';

describe('idempotency key of a delivery', () => {
  const raw = Buffer.from('{"type":"INSTALL"}');
  const timestamp = '2026-11-29T10:00:00.000Z';

  it.each([
    ['webhookId when GHL sends one', { type: 'ContactUpdate', id: 'c1', timestamp, webhookId: 'w-1' }, 'webhook:w-1'],
    [
      'type, id and timestamp without webhookId',
      { type: 'ContactUpdate', id: 'c1', timestamp },
      `ContactUpdate:c1:${timestamp}`,
    ],
    [
      'dateUpdated over timestamp',
      { type: 'ContactUpdate', id: 'c1', timestamp, dateUpdated: '2026-11-29T09:00:00Z' },
      'ContactUpdate:c1:2026-11-29T09:00:00Z',
    ],
    [
      'appointment.id and appointment.dateUpdated',
      { type: 'AppointmentUpdate', timestamp, appointment: { id: 'a1', dateUpdated: '2026-11-29T08:00:00Z' } },
      'AppointmentUpdate:a1:2026-11-29T08:00:00Z',
    ],
    [
      'a hash of the body without any id',
      { type: 'INSTALL', timestamp },
      `sha256:${createHash('sha256').update(raw).digest('hex')}`,
    ],
    [
      'dateUpdated without timestamp',
      { type: 'ContactUpdate', id: 'c1', dateUpdated: '2026-11-29T09:00:00Z' },
      'ContactUpdate:c1:2026-11-29T09:00:00Z',
    ],
    [
      'a hash of the body with an id but neither timestamp nor dateUpdated',
      { type: 'ContactCreate', id: 'c1', timestamp: null },
      `sha256:${createHash('sha256').update(raw).digest('hex')}`,
    ],
  ])('uses %s', (_name, payload, expected) => {
    expect(idempotencyKeyOf(payload, raw)).toBe(expected);
  });

  it('hashes the exact bytes: different bodies, different keys', () => {
    const payload = { type: 'INSTALL', timestamp };
    expect(idempotencyKeyOf(payload, raw)).not.toBe(idempotencyKeyOf(payload, Buffer.from('{"type":"INSTALL" }')));
    expect(idempotencyKeyOf(payload, raw)).toBe(idempotencyKeyOf(payload, Buffer.from(raw)));
  });

  it.each([
    [{ id: 'c1' }, 'c1'],
    [{ appointment: { id: 'a1' } }, 'a1'],
    [{ id: '' }, undefined],
    [{ id: 42 }, undefined],
    [{ appointment: 'a1' }, undefined],
    [{}, undefined],
  ])('objectIdOf(%j) = %j', (payload, expected) => {
    expect(objectIdOf({ type: 'X', timestamp, ...payload })).toBe(expected);
  });
});
