import { describe, expect, it } from 'vitest';
import { parseFieldRules } from '../contacts/field-rules.js';
import { mergeContact } from './contact-merge.js';
import { createPlan, mergePlan, tagStepsOf } from './outbound-plan.js';

const { rules } = parseFieldRules('email:trainu_only,tag.trainu-*:trainu_only,tags:ghl_only,firstName:prefer_ghl');
const at = new Date('2026-12-01T10:00:00Z');

describe('outbound plans', () => {
  it('a create writes every pushed value from nothing: one lookup per key tried, then the create', () => {
    const plan = createPlan(
      'c1',
      { fields: { email: 'ann@example.com', firstName: 'Ann' }, tags: ['trainu-plan'] },
      rules,
      2,
    );
    expect(plan).toEqual({
      contactId: 'c1',
      ghlContactId: null,
      action: 'CREATE',
      changes: [
        { field: 'email', from: null, to: 'ann@example.com', rule: 'trainu_only' },
        { field: 'firstName', from: null, to: 'Ann', rule: 'prefer_ghl' },
        { field: 'tags', from: null, to: 'trainu-plan', rule: 'trainu_only' },
      ],
      tagsToAdd: ['trainu-plan'],
      tagsToRemove: [],
      apiCalls: 3,
      reason: null,
    });
  });

  it('an update costs its GET, one PUT for all fields and a call per tag direction; the rule of each is named', () => {
    const agreed = { fields: { email: 'ann@example.com', firstName: 'Ann' }, tags: ['lead', 'trainu-old'] };
    const trainu = { fields: { email: 'ann.lee@example.com', firstName: 'Ann' }, tags: ['lead', 'trainu-new', 'vip'] };
    const ghl = { fields: { email: 'ann@example.com', firstName: 'Ann' }, tags: ['lead', 'trainu-old'] };
    const merge = mergeContact({ trainu, ghl, agreed, trainuChangedAt: () => at, ghlChangedAt: at, rules });

    const plan = mergePlan({ id: 'c1', ghlContactId: 'g1' }, ghl, merge, { rules, linking: false, reads: 1 });

    // `vip` falls under tags:ghl_only and stays home; the trainu-* tags go.
    expect(plan).toMatchObject({
      action: 'UPDATE',
      changes: [
        { field: 'email', from: 'ann@example.com', to: 'ann.lee@example.com', rule: 'trainu_only' },
        { field: 'tags', from: 'lead,trainu-old', to: 'lead,trainu-new', rule: 'trainu_only' },
      ],
      tagsToAdd: ['trainu-new'],
      tagsToRemove: ['trainu-old'],
      apiCalls: 4,
    });
  });

  it('agreeing sides cost only the GET and say so; a link is a LINK even with nothing to write', () => {
    const values = { fields: { email: 'ann@example.com' }, tags: ['lead'] };
    const merge = mergeContact({
      trainu: values,
      ghl: values,
      agreed: values,
      trainuChangedAt: () => at,
      ghlChangedAt: at,
      rules,
    });
    const contact = { id: 'c1', ghlContactId: 'g1' };
    expect(mergePlan(contact, values, merge, { rules, linking: false, reads: 1 })).toMatchObject({
      action: 'NOOP',
      changes: [],
      apiCalls: 1,
      reason: 'TrainU and GHL already agree',
    });
    expect(mergePlan(contact, values, merge, { rules, linking: true, reads: 2 })).toMatchObject({
      action: 'LINK',
      apiCalls: 2,
      reason: null,
    });
  });

  it('tag steps add first, then remove, each with the tags GHL holds after it', () => {
    expect(tagStepsOf(['a', 'b'], ['c'], ['a'])).toEqual([
      { action: 'tags_add', tags: ['c'], tagsAfter: ['a', 'b', 'c'] },
      { action: 'tags_remove', tags: ['a'], tagsAfter: ['b', 'c'] },
    ]);
    expect(tagStepsOf(['a'], [], [])).toEqual([]);
  });
});
