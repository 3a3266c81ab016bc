import type { SyncedValues } from '../contacts/contact-sync-state.repository.js';
import { decideField, FieldRules, type FieldRule, type SyncSide } from '../contacts/field-rules.js';

/**
 * The three-way merge of one contact (ADR 0022): TrainU's current values, GHL's current values and
 * the values both last agreed on, per field. Pure: the push service loads the three and carries
 * out the result.
 */

export type { SyncedValues, SyncSide };

/** A field changed on both sides to different values, and who won. */
export interface FieldConflict {
  readonly field: string;
  readonly trainuValue: string | null;
  readonly ghlValue: string | null;
  readonly trainuChangedAt: Date;
  readonly ghlChangedAt: Date | null;
  readonly rule: FieldRule;
  readonly winner: SyncSide;
}

export interface MergeInput {
  readonly trainu: SyncedValues;
  readonly ghl: SyncedValues;
  /** Null when the two were never in step (a contact just linked by email or phone). */
  readonly agreed: SyncedValues | null;
  /** When TrainU last changed the field (its outbox rows), for the latest-write rule. */
  readonly trainuChangedAt: (field: string) => Date;
  /** GHL's `dateUpdated`: the only change time GHL gives, for the whole contact. */
  readonly ghlChangedAt: Date | null;
  /** SYNC_FIELD_RULES; every field `two_way` when absent. */
  readonly rules?: FieldRules;
}

export interface ContactMerge {
  /** Fields whose TrainU value goes to GHL (a `PUT` of only these). */
  readonly push: Readonly<Record<string, string | null>>;
  /** Fields whose GHL value comes to TrainU: changed only in GHL, or GHL won the conflict. */
  readonly pull: Readonly<Record<string, string | null>>;
  readonly tagsToAdd: readonly string[];
  readonly tagsToRemove: readonly string[];
  /** Tags GHL added or removed since the agreed state, for TrainU's side. */
  readonly tagsToPull: { readonly add: readonly string[]; readonly remove: readonly string[] };
  readonly conflicts: readonly FieldConflict[];
  /** What both sides hold once the merge is carried out: the next agreed state. */
  readonly agreed: SyncedValues;
}

/**
 * Per field, by its rule (`decideField`): changed only in TrainU → pushed; only in GHL → pulled;
 * in both to different values → a conflict the rule settles (`two_way`: the later write, TrainU's
 * change time against GHL's `dateUpdated`, a tie to GHL, where coaches work), recorded. Without an
 * agreed state a value only one side has fills the other, and differing values are conflicts.
 * Tags merge as sets: each side's additions and removals since the agreed state are made on the
 * other, unless the tag's rule keeps them home (`FieldRules.tagRuleOf`: `ghl_only` tags are never
 * pushed, `trainu_only` never pulled), so a tag only GHL has is never removed.
 */
export function mergeContact(input: MergeInput): ContactMerge {
  const rules = input.rules ?? FieldRules.DEFAULT;
  const push: Record<string, string | null> = {};
  const pull: Record<string, string | null> = {};
  const agreedFields: Record<string, string | null> = {};
  const conflicts: FieldConflict[] = [];
  for (const field of fieldNamesOf(input)) {
    const trainu = input.trainu.fields[field] ?? null;
    const ghl = input.ghl.fields[field] ?? null;
    const agreed = input.agreed ? (input.agreed.fields[field] ?? null) : undefined;
    if (trainu === ghl) {
      agreedFields[field] = trainu;
      continue;
    }
    const trainuChangedAt = input.trainuChangedAt(field);
    const trainuIsLater = input.ghlChangedAt === null || trainuChangedAt.getTime() > input.ghlChangedAt.getTime();
    const rule = rules.ruleOf(field);
    const { winner, conflict } = decideField(rule, { trainu, ghl, agreed, trainuIsLater });
    if (winner === 'TRAINU') push[field] = trainu;
    if (winner === 'GHL') pull[field] = ghl;
    if (winner !== 'NONE') agreedFields[field] = winner === 'TRAINU' ? trainu : ghl;
    else if (agreed !== undefined) agreedFields[field] = agreed;
    if (conflict && winner !== 'NONE') {
      conflicts.push({
        field,
        trainuValue: trainu,
        ghlValue: ghl,
        trainuChangedAt,
        ghlChangedAt: input.ghlChangedAt,
        rule,
        winner,
      });
    }
  }
  const tags = mergeTags(input.trainu.tags, input.ghl.tags, input.agreed?.tags ?? [], rules);
  return { push, pull, conflicts, ...tags, agreed: { fields: withoutBlanks(agreedFields), tags: tags.merged } };
}

/**
 * Per tag, by its rule: when the two sides differ, only one changed it since the agreed state (a
 * side holds it and the agreed set does not, or the other way round); that change goes across
 * unless the tag's rule keeps it home, and the agreed set follows what both hold afterwards.
 */
function mergeTags(trainu: readonly string[], ghl: readonly string[], agreed: readonly string[], rules: FieldRules) {
  const inTrainu = new Set(trainu);
  const inGhl = new Set(ghl);
  const inAgreed = new Set(agreed);
  const tagsToAdd: string[] = [];
  const tagsToRemove: string[] = [];
  const tagsToPull = { add: [] as string[], remove: [] as string[] };
  const merged: string[] = [];
  for (const tag of [...new Set([...trainu, ...ghl, ...agreed])].sort()) {
    const held = { trainu: inTrainu.has(tag), ghl: inGhl.has(tag), agreed: inAgreed.has(tag) };
    if (held.trainu === held.ghl) {
      if (held.trainu) merged.push(tag);
      continue;
    }
    const changedInTrainu = held.trainu !== held.agreed;
    const heldByChanger = changedInTrainu ? held.trainu : held.ghl;
    const goesAcross = changedInTrainu ? rules.pushesTag(tag) : rules.pullsTag(tag);
    // A change kept home leaves the agreed set as it was: the side that made it is still ahead.
    if (goesAcross ? heldByChanger : held.agreed) merged.push(tag);
    if (!goesAcross) continue;
    if (changedInTrainu) (heldByChanger ? tagsToAdd : tagsToRemove).push(tag);
    else (heldByChanger ? tagsToPull.add : tagsToPull.remove).push(tag);
  }
  return { tagsToAdd, tagsToRemove, tagsToPull, merged };
}

function fieldNamesOf(input: MergeInput): string[] {
  return [
    ...new Set([
      ...Object.keys(input.trainu.fields),
      ...Object.keys(input.ghl.fields),
      ...Object.keys(input.agreed?.fields ?? {}),
    ]),
  ].sort();
}

function withoutBlanks(fields: Record<string, string | null>): Record<string, string | null> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
}
