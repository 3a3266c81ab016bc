import { describe, expect, it } from 'vitest';
import type { GhlContactChange } from './contact.mapper.js';
import { withoutEchoes, type OpenEcho } from './echo-filter.js';

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

function echo(id: string, field: string, value: string, consumed = false): OpenEcho {
  return { id, field, value, consumed };
}

describe('withoutEchoes', () => {
  it('drops every field that comes back as we wrote it, consuming each entry once: an echo', () => {
    const result = withoutEchoes(
      change(),
      [echo('1', 'firstName', 'Ann'), echo('2', 'tags', 'a,b'), echo('3', 'customField.goal', '10k')],
      new Map(),
    );
    expect(result.kind).toBe('echo');
    expect(result.consumed).toEqual(['1', '2', '3']);
    expect(result.change.fields).toEqual({ email: 'ann@example.com', lastName: 'Lee' });
    expect(result.change.tags).toBeUndefined();
    expect(result.change.customFields).toEqual([{ fieldId: 'level', value: 'pro' }]);
    expect(result.change.keptCustomFieldIds).toEqual(['goal']);
  });

  it('does not trust a field that came back other than we wrote: a near miss, left to a reconcile', () => {
    const result = withoutEchoes(
      change({ fields: { firstName: 'ANN', lastName: 'Lee' } }),
      [echo('1', 'firstName', 'Ann'), echo('2', 'lastName', 'Lee')],
      new Map(),
    );
    expect(result.kind).toBe('near_miss');
    expect(result.consumed).toEqual(['2']);
    expect(result.change.fields).toEqual({});
  });

  it('matches an older write too (echoes arrive late and out of order), each entry once', () => {
    const echoes = [echo('1', 'firstName', 'v1'), echo('2', 'firstName', 'v2')];
    const late = withoutEchoes(change({ fields: { firstName: 'v1' } }), echoes, new Map());
    expect(late).toMatchObject({ kind: 'echo', consumed: ['1'], change: { fields: {} } });
  });

  it('drops a second delivery of an echo already seen, consuming nothing', () => {
    const result = withoutEchoes(
      change({ fields: { firstName: 'Ann' } }),
      [echo('1', 'firstName', 'Ann', true)],
      new Map(),
    );
    expect(result).toMatchObject({ kind: 'echo', consumed: [], change: { fields: {} } });
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
