import { describe, expect, it } from 'vitest';
import type { GhlContactChange } from './contact.mapper.js';
import { withoutEchoes } from './echo-filter.js';

const WEBHOOK_AT = new Date('2026-12-03T10:00:00Z');

function change(overrides: Partial<GhlContactChange> = {}): GhlContactChange {
  return {
    ghlContactId: 'ghl-1',
    ghlLocationId: 'loc-1',
    upstreamUpdatedAt: WEBHOOK_AT,
    fields: { email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee' },
    tags: ['a', 'b'],
    customFields: [
      { fieldId: 'goal', value: '10k' },
      { fieldId: 'level', value: 'pro' },
    ],
    ...overrides,
  };
}

describe('withoutEchoes', () => {
  it('drops every field that comes back as we wrote it, consuming each entry once: an echo', () => {
    const result = withoutEchoes(
      change(),
      [
        { id: '1', field: 'firstName', value: 'Ann' },
        { id: '2', field: 'tags', value: 'a,b' },
        { id: '3', field: 'customField.goal', value: '10k' },
      ],
      new Map(),
    );
    expect(result.kind).toBe('echo');
    expect(result.consumed).toEqual(['1', '2', '3']);
    expect(result.change.fields).toEqual({ email: 'ann@example.com', lastName: 'Lee' });
    expect(result.change.tags).toBeUndefined();
    expect(result.change.customFields).toEqual([{ fieldId: 'level', value: 'pro' }]);
    expect(result.change.keptCustomFieldIds).toEqual(['goal']);
  });

  it('applies a field GHL rewrote after our write: a near miss, only the differing field changes', () => {
    const result = withoutEchoes(
      change({ fields: { firstName: 'ANN', lastName: 'Lee' } }),
      [
        { id: '1', field: 'firstName', value: 'Ann' },
        { id: '2', field: 'lastName', value: 'Lee' },
      ],
      new Map(),
    );
    expect(result.kind).toBe('near_miss');
    expect(result.consumed).toEqual(['2']);
    expect(result.change.fields).toEqual({ firstName: 'ANN' });
  });

  it('matches an older write too (echoes arrive late and out of order), each entry once', () => {
    const echoes = [
      { id: '1', field: 'firstName', value: 'v1' },
      { id: '2', field: 'firstName', value: 'v2' },
    ];
    const late = withoutEchoes(change({ fields: { firstName: 'v1' } }), echoes, new Map());
    expect(late).toMatchObject({ kind: 'echo', consumed: ['1'], change: { fields: {} } });
  });

  it('is no echo without an entry, whatever the time: a change equal to nothing we wrote is applied', () => {
    const result = withoutEchoes(change(), [], new Map());
    expect(result.kind).toBe('none');
    expect(result.change).toEqual(change());
  });

  it('keeps a field TrainU changed after the webhook’s time, and applies one TrainU changed before', () => {
    const trainuChangedAt = new Map([
      ['lastName', new Date(WEBHOOK_AT.getTime() + 1_000)],
      ['firstName', new Date(WEBHOOK_AT.getTime() - 1_000)],
      ['tags', new Date(WEBHOOK_AT.getTime() + 1_000)],
    ]);
    const result = withoutEchoes(change(), [], trainuChangedAt);
    expect(result.change.fields).toEqual({ email: 'ann@example.com', firstName: 'Ann' });
    expect(result.change.tags).toBeUndefined();
    expect(result.kind).toBe('none');
  });

  it('drops the kept-aside raw phone with the phone', () => {
    const result = withoutEchoes(
      change({ fields: { phone: null, phoneInvalidRaw: 'call me' } }),
      [],
      new Map([['phone', new Date(WEBHOOK_AT.getTime() + 1)]]),
    );
    expect(result.change.fields).toEqual({});
  });
});
