import { describe, expect, it } from 'vitest';
import { describePlan, describeSummary } from './plan-text.js';

describe('plan text (npm run outbound -- preview)', () => {
  it('shows the action, its cost and each field from → to with the rule that decided', () => {
    const text = describePlan({
      contactId: 'c1',
      ghlContactId: 'g1',
      action: 'UPDATE',
      changes: [
        { field: 'firstName', from: 'Ann', to: 'Anna', rule: 'two_way' },
        { field: 'tags', from: 'a', to: 'a,vip', rule: 'tags:two_way' },
        { field: 'phone', from: null, to: '+14155550101', rule: 'prefer_trainu' },
      ],
      tagsToAdd: ['vip'],
      tagsToRemove: [],
      apiCalls: 3,
      reason: null,
    });
    expect(text.split('\n')).toEqual([
      'contact c1 → GHL contact g1: UPDATE, 3 GHL request(s)',
      '  firstName  "Ann" → "Anna"  [two_way]',
      '  tags       "a" → "a,vip"  [tags:two_way]',
      '  phone      (none) → "+14155550101"  [prefer_trainu]',
      '  tags to add:    vip',
    ]);
  });

  it('says why a plan writes nothing, and names a new contact', () => {
    const base = { contactId: 'c2', changes: [], tagsToAdd: [], tagsToRemove: [], apiCalls: 0 };
    expect(describePlan({ ...base, ghlContactId: null, action: 'NOOP', reason: 'deleted in TrainU' })).toBe(
      'contact c2 → a new GHL contact: NOOP, 0 GHL request(s) (deleted in TrainU)',
    );
  });

  it('sums up against the daily budget and says when it does not fit', () => {
    const summary = {
      contacts: 3,
      byAction: { CREATE: 1, LINK: 0, UPDATE: 2, DELETE: 0, NOOP: 0, BLOCKED: 0 },
      apiCalls: 50,
      dailyRemaining: 10_040,
      dailyReserve: 10_000,
      fitsToday: false,
    };
    expect(describeSummary(summary)).toBe(
      [
        '3 contact(s) with pending TrainU changes: CREATE 1 · LINK 0 · UPDATE 2 · DELETE 0 · NOOP 0 · BLOCKED 0',
        'GHL requests to carry them out: 50',
        'GHL budget left today: 10040 (outbound leaves 10000 to webhooks, so 40 to spend): does NOT fit today; the rest waits for tomorrow',
      ].join('\n'),
    );
  });
});
