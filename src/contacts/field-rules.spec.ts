import { describe, expect, it } from 'vitest';
import type { GhlContactChange } from './contact.mapper.js';
import { decideField, FIELD_RULES, parseFieldRules, type FieldRule, type FieldSides } from './field-rules.js';

/** The situations a field can be in when its two values differ; `agreed` is the last shared value. */
const CASES = {
  'changed in TrainU': { trainu: 'T', ghl: 'A', agreed: 'A', trainuIsLater: false },
  'changed in GHL': { trainu: 'A', ghl: 'G', agreed: 'A', trainuIsLater: true },
  'both, TrainU later': { trainu: 'T', ghl: 'G', agreed: 'A', trainuIsLater: true },
  'both, GHL later': { trainu: 'T', ghl: 'G', agreed: 'A', trainuIsLater: false },
  'both, GHL blanked it (TrainU earlier)': { trainu: 'T', ghl: null, agreed: 'A', trainuIsLater: false },
  'both, TrainU blanked it (GHL earlier)': { trainu: '', ghl: 'G', agreed: 'A', trainuIsLater: true },
  'never agreed, blank in GHL': { trainu: 'T', ghl: null, agreed: undefined, trainuIsLater: false },
  'never agreed, blank in TrainU': { trainu: null, ghl: 'G', agreed: undefined, trainuIsLater: true },
  'never agreed, both set': { trainu: 'T', ghl: 'G', agreed: undefined, trainuIsLater: false },
} satisfies Record<string, FieldSides>;
type Case = keyof typeof CASES;

/**
 * Expected winner per rule and case, written out by hand: T = TrainU's value on both sides, G = GHL's,
 * - = each side keeps its own; `!` marks a conflict (recorded).
 */
const EXPECTED: Record<FieldRule, Record<Case, string>> = {
  two_way: row('T', 'G', 'T!', 'G!', 'G!', 'T!', 'T', 'G', 'G!'),
  prefer_ghl: row('T', 'G', 'G!', 'G!', 'G!', 'G!', 'T', 'G', 'G!'),
  prefer_trainu: row('T', 'G', 'T!', 'T!', 'T!', 'T!', 'T', 'G', 'T!'),
  prefer_ghl_unless_blank: row('T', 'G', 'G!', 'G!', 'T!', 'G!', 'T', 'G', 'G!'),
  prefer_trainu_unless_blank: row('T', 'G', 'T!', 'T!', 'T!', 'G!', 'T', 'G', 'T!'),
  ghl_only: row('-', 'G', 'G!', 'G!', 'G!', 'G!', '-', 'G', 'G!'),
  trainu_only: row('T', '-', 'T!', 'T!', 'T!', 'T!', 'T', '-', 'T!'),
};

function row(...cells: string[]): Record<Case, string> {
  return Object.fromEntries(Object.keys(CASES).map((name, index) => [name, cells[index]!])) as Record<Case, string>;
}

function shown({ winner, conflict }: ReturnType<typeof decideField>): string {
  const side = { TRAINU: 'T', GHL: 'G', NONE: '-' }[winner];
  return conflict ? `${side}!` : side;
}

describe('decideField', () => {
  it('has an expectation for every rule', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...FIELD_RULES].sort());
  });

  describe.each(FIELD_RULES)('%s', (rule) => {
    it.each(Object.keys(CASES) as Case[])('%s', (name) => {
      expect(shown(decideField(rule, CASES[name]))).toBe(EXPECTED[rule][name]);
    });
  });

  it('leaves a field both sides changed to the same value alone (not a conflict)', () => {
    expect(decideField('two_way', { trainu: 'X', ghl: 'X', agreed: 'A', trainuIsLater: true })).toEqual({
      winner: 'NONE',
      conflict: false,
    });
  });
});

describe('parseFieldRules', () => {
  it('reads field:rule entries, spaces allowed, custom fields by id; other fields stay two_way', () => {
    const { rules, problems } = parseFieldRules(' email : prefer_trainu ,tags:trainu_only,customField.abc_1:ghl_only');
    expect(problems).toEqual([]);
    expect(['email', 'tags', 'customField.abc_1', 'phone', 'customField.other'].map((f) => rules.ruleOf(f))).toEqual([
      'prefer_trainu',
      'trainu_only',
      'ghl_only',
      'two_way',
      'two_way',
    ]);
    expect([rules.pushes('customField.abc_1'), rules.pulls('customField.abc_1')]).toEqual([false, true]);
    expect([rules.pushes('tags'), rules.pulls('tags')]).toEqual([true, false]);
  });

  it('names each bad entry', () => {
    expect(parseFieldRules('email:prefer,:two_way,customField.a b:ghl_only').problems).toEqual([
      expect.stringContaining('"email:prefer": unknown rule "prefer"'),
      expect.stringContaining('":two_way": must be field:rule'),
      expect.stringContaining('"customField.a b:ghl_only": unknown field "customField.a b"'),
    ]);
  });
});

describe('tag patterns', () => {
  const WORKED_EXAMPLE =
    'email:trainu_only,tag.trainu-*:trainu_only,tags:ghl_only,phone:prefer_ghl,firstName:prefer_ghl,lastName:prefer_ghl';

  it('gives a tag its first matching pattern’s rule, whatever its case, else the rule of tags', () => {
    const { rules, problems } = parseFieldRules('tag.vip-*:ghl_only, tag.*-GOLD:trainu_only,tags:prefer_ghl');
    expect(problems).toEqual([]);
    expect(['vip-gold', 'VIP-Silver', 'silver-gold', 'gold', 'vip'].map((tag) => rules.tagRuleOf(tag))).toEqual([
      'ghl_only',
      'ghl_only',
      'trainu_only',
      'prefer_ghl',
      'prefer_ghl',
    ]);
    expect(rules.ruleOf('tags')).toBe('prefer_ghl');
  });

  it('reads only * as a wildcard, anywhere in the pattern', () => {
    const { rules } = parseFieldRules('tag.a*z:ghl_only,tag.v.i+p (2):ghl_only,tag.lead:ghl_only');
    const ghlOnly = ['abcz', 'az', 'v.i+p (2)', 'lead', 'abc', 'vxiip (2)', 'v.i+p  (2)', 'leads', 'a lead'];
    expect(ghlOnly.map((tag) => rules.pushesTag(tag))).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
      false,
      true,
      true,
    ]);
  });

  it('pushes and pulls the worked example’s tags by owner', () => {
    const { rules, problems } = parseFieldRules(WORKED_EXAMPLE);
    expect(problems).toEqual([]);
    const owned = (tag: string) => [rules.pushesTag(tag), rules.pullsTag(tag)];
    expect([owned('trainu-plan'), owned('TrainU-Plan'), owned('coach-vip'), owned('trainu')]).toEqual([
      [true, false],
      [true, false],
      [false, true],
      [false, true],
    ]);
    expect([rules.pushes('tags'), rules.pulls('tags'), rules.keepsTrainuTags]).toEqual([false, true, true]);
  });

  it('describes fields, then tag patterns in their order, normalised', () => {
    const { rules } = parseFieldRules('tag.TrainU-**:trainu_only,email:trainu_only,tag.vip:ghl_only,tags:ghl_only');
    expect(rules.describe()).toBe('email:trainu_only,tags:ghl_only,tag.trainu-*:trainu_only,tag.vip:ghl_only');
    expect(parseFieldRules(rules.describe()).rules.describe()).toBe(rules.describe());
  });

  it('names each bad pattern, and a pattern named twice whatever its case', () => {
    expect(
      parseFieldRules(
        'tag.:ghl_only,tag.*:two_way,tag.a\u0001b:ghl_only,tag.vip:owned,tag.VIP:ghl_only,tag.vip:trainu_only',
      ).problems,
    ).toEqual([
      'SYNC_FIELD_RULES entry "tag.:ghl_only": empty tag pattern (such as tag.trainu-*)',
      'SYNC_FIELD_RULES entry "tag.*:two_way": tag pattern "*" matches every tag: say tags:<rule> instead',
      'SYNC_FIELD_RULES entry "tag.a\u0001b:ghl_only": tag pattern "a\u0001b" holds a control character',
      expect.stringContaining('"tag.vip:owned": unknown rule "owned"'),
      'SYNC_FIELD_RULES entry "tag.vip:trainu_only": tag pattern "vip" has a rule already (ghl_only)',
    ]);
  });

  describe('withoutTrainuOnly', () => {
    const change = (tags: string[] | undefined): GhlContactChange => ({
      ghlContactId: 'g1',
      ghlLocationId: 'loc',
      upstreamUpdatedAt: new Date('2026-12-03T10:00:00Z'),
      fields: { firstName: 'Ann' },
      tags,
      customFields: undefined,
    });

    it('drops GHL’s trainu_only tags from its set and applies the rest', () => {
      const { rules } = parseFieldRules(WORKED_EXAMPLE);
      expect(rules.withoutTrainuOnly(change(['coach-vip', 'trainu-ghl', 'lead'])).tags).toEqual(['coach-vip', 'lead']);
      expect(rules.withoutTrainuOnly(change(undefined)).tags).toBeUndefined();
    });

    it('keeps the applied tags of a trainu_only set to those a pattern pulls; none at all without one', () => {
      const mixed = parseFieldRules('tags:trainu_only,tag.coach-*:two_way').rules;
      expect(mixed.withoutTrainuOnly(change(['coach-vip', 'trainu-plan'])).tags).toEqual(['coach-vip']);
      const whole = parseFieldRules('tags:trainu_only,tag.trainu-*:trainu_only').rules;
      expect(whole.withoutTrainuOnly(change(['coach-vip'])).tags).toBeUndefined();
    });
  });
});
