import { describe, expect, it } from 'vitest';
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
