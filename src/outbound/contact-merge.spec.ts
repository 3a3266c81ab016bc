import { describe, expect, it } from 'vitest';
import { parseFieldRules } from '../contacts/field-rules.js';
import { mergeContact, type MergeInput, type SyncedValues } from './contact-merge.js';

const EARLIER = new Date('2026-12-03T10:00:00Z');
const LATER = new Date('2026-12-03T10:05:00Z');

function values(fields: Record<string, string | null>, tags: string[] = []): SyncedValues {
  return { fields, tags };
}

function merge(overrides: Partial<MergeInput>) {
  return mergeContact({
    trainu: values({}),
    ghl: values({}),
    agreed: values({}),
    trainuChangedAt: () => LATER,
    ghlChangedAt: EARLIER,
    ...overrides,
  });
}

describe('mergeContact', () => {
  const agreed = values({ firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com' });

  it('pushes a field only TrainU changed, and nothing else', () => {
    const result = merge({ agreed, trainu: values({ ...agreed.fields, firstName: 'Anna' }), ghl: agreed });
    expect(result.push).toEqual({ firstName: 'Anna' });
    expect(result.pull).toEqual({});
    expect(result.conflicts).toEqual([]);
    expect(result.agreed.fields).toEqual({ ...agreed.fields, firstName: 'Anna' });
  });

  it('pulls a field only GHL changed instead of overwriting it', () => {
    const result = merge({ agreed, trainu: agreed, ghl: values({ ...agreed.fields, lastName: 'Lee-Smith' }) });
    expect(result.push).toEqual({});
    expect(result.pull).toEqual({ lastName: 'Lee-Smith' });
    expect(result.conflicts).toEqual([]);
  });

  it('gives a field both changed to the later write, and records both values', () => {
    const trainu = values({ ...agreed.fields, firstName: 'Anna' });
    const ghl = values({ ...agreed.fields, firstName: 'Annie' });
    const trainuLater = merge({ agreed, trainu, ghl, trainuChangedAt: () => LATER, ghlChangedAt: EARLIER });
    expect(trainuLater.push).toEqual({ firstName: 'Anna' });
    expect(trainuLater.conflicts).toEqual([
      {
        field: 'firstName',
        trainuValue: 'Anna',
        ghlValue: 'Annie',
        trainuChangedAt: LATER,
        ghlChangedAt: EARLIER,
        rule: 'two_way',
        winner: 'TRAINU',
      },
    ]);
    const ghlLater = merge({ agreed, trainu, ghl, trainuChangedAt: () => EARLIER, ghlChangedAt: LATER });
    expect(ghlLater.push).toEqual({});
    expect(ghlLater.pull).toEqual({ firstName: 'Annie' });
    expect(ghlLater.conflicts[0]!.winner).toBe('GHL');
    expect(ghlLater.agreed.fields.firstName).toBe('Annie');
  });

  it('gives a tie to GHL', () => {
    const result = merge({
      agreed,
      trainu: values({ ...agreed.fields, firstName: 'Anna' }),
      ghl: values({ ...agreed.fields, firstName: 'Annie' }),
      trainuChangedAt: () => LATER,
      ghlChangedAt: LATER,
    });
    expect(result.conflicts[0]!.winner).toBe('GHL');
  });

  it('is no conflict when both sides made the same change', () => {
    const same = values({ ...agreed.fields, firstName: 'Anna' });
    const result = merge({ agreed, trainu: same, ghl: same });
    expect(result).toMatchObject({ push: {}, pull: {}, conflicts: [] });
    expect(result.agreed.fields.firstName).toBe('Anna');
  });

  it('pushes a blanked field as null', () => {
    const result = merge({ agreed, trainu: values({ firstName: 'Ann', email: 'ann@example.com' }), ghl: agreed });
    expect(result.push).toEqual({ lastName: null });
    expect(result.agreed.fields).toEqual({ firstName: 'Ann', email: 'ann@example.com' });
  });

  it('without an agreed state, fills blanks from either side and settles differing values by time', () => {
    const result = merge({
      agreed: null,
      trainu: values({ firstName: 'Anna', email: 'ann@example.com' }),
      ghl: values({ firstName: 'Annie', lastName: 'Lee', email: 'ann@example.com' }),
    });
    expect(result.push).toEqual({ firstName: 'Anna' });
    expect(result.pull).toEqual({ lastName: 'Lee' });
    expect(result.conflicts.map((conflict) => conflict.field)).toEqual(['firstName']);
  });

  it('merges tags as sets: each side’s additions and removals are made on the other', () => {
    const result = merge({
      agreed: values({}, ['a', 'b', 'c']),
      trainu: values({}, ['a', 'c', 'trainu-new']),
      ghl: values({}, ['a', 'b', 'ghl-new']),
    });
    expect(result.tagsToAdd).toEqual(['trainu-new']);
    expect(result.tagsToRemove).toEqual(['b']);
    expect(result.tagsToPull).toEqual({ add: ['ghl-new'], remove: ['c'] });
    expect(result.agreed.tags).toEqual(['a', 'ghl-new', 'trainu-new']);
  });

  it('never removes a tag only GHL has, and unions tags on a first link', () => {
    const linked = merge({ agreed: null, trainu: values({}, ['trainu']), ghl: values({}, ['coach']) });
    expect(linked.tagsToAdd).toEqual(['trainu']);
    expect(linked.tagsToRemove).toEqual([]);
    expect(linked.agreed.tags).toEqual(['coach', 'trainu']);
    const later = merge({
      agreed: values({}, ['trainu']),
      trainu: values({}, []),
      ghl: values({}, ['coach', 'trainu']),
    });
    expect(later.tagsToRemove).toEqual(['trainu']);
    expect(later.agreed.tags).toEqual(['coach']);
  });

  describe('with SYNC_FIELD_RULES', () => {
    const rules = (text: string) => parseFieldRules(text).rules;

    it('keeps a ghl_only field home, pulls it, and settles a conflict on it for GHL under its rule name', () => {
      const onlyTrainu = merge({
        agreed,
        trainu: values({ ...agreed.fields, lastName: 'Local' }),
        ghl: agreed,
        rules: rules('lastName:ghl_only'),
      });
      expect([onlyTrainu.push, onlyTrainu.pull, onlyTrainu.agreed.fields.lastName]).toEqual([{}, {}, 'Lee']);

      const both = merge({
        agreed,
        trainu: values({ ...agreed.fields, lastName: 'Local' }),
        ghl: values({ ...agreed.fields, lastName: 'Coach' }),
        rules: rules('lastName:ghl_only'),
      });
      expect(both.pull).toEqual({ lastName: 'Coach' });
      expect(both.conflicts).toEqual([expect.objectContaining({ field: 'lastName', rule: 'ghl_only', winner: 'GHL' })]);
    });

    it('lets prefer_trainu win a conflict TrainU made earlier', () => {
      const result = merge({
        agreed,
        trainu: values({ ...agreed.fields, email: 'ann@trainu.example' }),
        ghl: values({ ...agreed.fields, email: 'ann@coach.example' }),
        trainuChangedAt: () => EARLIER,
        ghlChangedAt: LATER,
        rules: rules('email:prefer_trainu'),
      });
      expect(result.push).toEqual({ email: 'ann@trainu.example' });
      expect(result.conflicts).toEqual([expect.objectContaining({ rule: 'prefer_trainu', winner: 'TRAINU' })]);
    });

    it('never pulls trainu_only tags and never pushes ghl_only tags; the agreed set keeps what stayed home', () => {
      const tagged = values(agreed.fields, ['lead']);
      const input = {
        agreed: tagged,
        trainu: values(agreed.fields, ['lead', 'trainu-plan']),
        ghl: values(agreed.fields, ['coach-vip']),
      };
      const trainuOwns = merge({ ...input, rules: rules('tags:trainu_only') });
      expect([trainuOwns.tagsToAdd, trainuOwns.tagsToPull]).toEqual([['trainu-plan'], { add: [], remove: [] }]);
      expect(trainuOwns.agreed.tags).toEqual(['lead', 'trainu-plan']);

      const ghlOwns = merge({ ...input, rules: rules('tags:ghl_only') });
      expect([ghlOwns.tagsToAdd, ghlOwns.tagsToRemove]).toEqual([[], []]);
      expect(ghlOwns.tagsToPull).toEqual({ add: ['coach-vip'], remove: ['lead'] });
      expect(ghlOwns.agreed.tags).toEqual(['coach-vip']);
    });

    it('merges each tag by its pattern’s rule: TrainU’s trainu-* changes go, GHL’s stay home; the rest the other way', () => {
      const result = merge({
        agreed: values({}, ['lead', 'trainu-a', 'trainu-b', 'trainu-c']),
        // TrainU removed trainu-b, added trainu-new and own-note.
        trainu: values({}, ['lead', 'own-note', 'trainu-a', 'trainu-c', 'trainu-new']),
        // GHL removed lead and trainu-c, added coach-vip and trainu-ghl.
        ghl: values({}, ['coach-vip', 'trainu-a', 'trainu-b', 'trainu-ghl']),
        rules: rules('email:trainu_only,tag.trainu-*:trainu_only,tags:ghl_only'),
      });
      expect([result.tagsToAdd, result.tagsToRemove]).toEqual([['trainu-new'], ['trainu-b']]);
      expect(result.tagsToPull).toEqual({ add: ['coach-vip'], remove: ['lead'] });
      // Kept home: own-note and trainu-ghl stay out, trainu-c stays in, as they were.
      expect(result.agreed.tags).toEqual(['coach-vip', 'trainu-a', 'trainu-c', 'trainu-new']);
    });

    it('takes the first matching pattern, case aside; a tag both sides added is agreed whatever its rule', () => {
      const result = merge({
        agreed: values({}, []),
        trainu: values({}, ['vip-gold', 'vip-new', 'both']),
        ghl: values({}, ['ghl-gold', 'both']),
        rules: rules('tag.VIP-*:ghl_only,tag.*-gold:trainu_only,tag.both:ghl_only'),
      });
      expect([result.tagsToAdd, result.tagsToPull.add]).toEqual([[], []]);
      expect(result.agreed.tags).toEqual(['both']);
    });
  });
});
