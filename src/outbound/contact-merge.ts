import type { SyncedValues } from '../contacts/contact-sync-state.repository.js';

/**
 * The three-way merge of one contact (ADR 0022): TrainU's current values, GHL's current values and
 * the values both last agreed on, per field. Pure: the push service loads the three and carries
 * out the result.
 */

export type { SyncedValues };

export type SyncSide = 'TRAINU' | 'GHL';

/** The only rule until SYNC_FIELD_RULES (issue 15): the later write wins. */
export const DEFAULT_FIELD_RULE = 'two_way';

/** A field changed on both sides to different values, and who won. */
export interface FieldConflict {
  readonly field: string;
  readonly trainuValue: string | null;
  readonly ghlValue: string | null;
  readonly trainuChangedAt: Date;
  readonly ghlChangedAt: Date | null;
  readonly rule: string;
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
 * Per field: changed only in TrainU → pushed; only in GHL → pulled; in both to different values →
 * the later write (TrainU's change time against GHL's `dateUpdated`; a tie goes to GHL, where
 * coaches work), recorded as a conflict. Without an agreed state a value only one side has fills
 * the other, and differing values are conflicts. Tags merge as sets: each side's additions and
 * removals since the agreed state are made on the other, so a tag only GHL has is never removed.
 */
export function mergeContact(input: MergeInput): ContactMerge {
  const push: Record<string, string | null> = {};
  const pull: Record<string, string | null> = {};
  const agreedFields: Record<string, string | null> = {};
  const conflicts: FieldConflict[] = [];
  for (const field of fieldNamesOf(input)) {
    const trainu = input.trainu.fields[field] ?? null;
    const ghl = input.ghl.fields[field] ?? null;
    if (trainu === ghl) {
      agreedFields[field] = trainu;
      continue;
    }
    const winner = winnerOf(field, trainu, ghl, input, conflicts);
    if (winner === 'TRAINU') push[field] = trainu;
    else pull[field] = ghl;
    agreedFields[field] = winner === 'TRAINU' ? trainu : ghl;
  }
  const tags = mergeTags(input.trainu.tags, input.ghl.tags, input.agreed?.tags ?? []);
  return { push, pull, conflicts, ...tags, agreed: { fields: withoutBlanks(agreedFields), tags: tags.merged } };
}

/** Which side's value a field that differs ends on; a conflict is recorded when both changed it. */
function winnerOf(
  field: string,
  trainu: string | null,
  ghl: string | null,
  input: MergeInput,
  conflicts: FieldConflict[],
): SyncSide {
  if (input.agreed) {
    const agreed = input.agreed.fields[field] ?? null;
    if (agreed === ghl) return 'TRAINU';
    if (agreed === trainu) return 'GHL';
  } else {
    if (ghl === null) return 'TRAINU';
    if (trainu === null) return 'GHL';
  }
  const trainuChangedAt = input.trainuChangedAt(field);
  const winner: SyncSide =
    input.ghlChangedAt === null || trainuChangedAt.getTime() > input.ghlChangedAt.getTime() ? 'TRAINU' : 'GHL';
  conflicts.push({
    field,
    trainuValue: trainu,
    ghlValue: ghl,
    trainuChangedAt,
    ghlChangedAt: input.ghlChangedAt,
    rule: DEFAULT_FIELD_RULE,
    winner,
  });
  return winner;
}

function mergeTags(trainu: readonly string[], ghl: readonly string[], agreed: readonly string[]) {
  const inTrainu = new Set(trainu);
  const inGhl = new Set(ghl);
  const inAgreed = new Set(agreed);
  const addedInTrainu = trainu.filter((tag) => !inAgreed.has(tag));
  const removedInTrainu = agreed.filter((tag) => !inTrainu.has(tag));
  const addedInGhl = ghl.filter((tag) => !inAgreed.has(tag));
  const removedInGhl = agreed.filter((tag) => !inGhl.has(tag));
  const tagsToAdd = addedInTrainu.filter((tag) => !inGhl.has(tag));
  const tagsToRemove = removedInTrainu.filter((tag) => inGhl.has(tag));
  const tagsToPull = {
    add: addedInGhl.filter((tag) => !inTrainu.has(tag)),
    remove: removedInGhl.filter((tag) => inTrainu.has(tag)),
  };
  const removed = new Set([...removedInTrainu, ...removedInGhl]);
  const merged = [...new Set([...trainu, ...ghl])].filter((tag) => !removed.has(tag)).sort();
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
