import type { SyncedValues } from '../contacts/contact-sync-state.repository.js';
import type { FieldRules } from '../contacts/field-rules.js';
import { tagsValue } from '../contacts/synced-values.js';
import type { ContactMerge } from './contact-merge.js';

/**
 * What the outbound worker will do for one contact (ADR 0024), as shadow mode records it and
 * preview shows it (GraphQL `OutboundPlan`, ARCHITECTURE.md "Outbound flow"). Values are strings as
 * GHL shows them, tags as a sorted comma-separated list.
 */
export const OUTBOUND_ACTIONS = ['CREATE', 'LINK', 'UPDATE', 'DELETE', 'NOOP', 'BLOCKED'] as const;
export type OutboundAction = (typeof OUTBOUND_ACTIONS)[number];

/** One field GHL's contact would change: GHL's value now, the value written, the rule that decided. */
export interface FieldChange {
  readonly field: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly rule: string;
}

export interface OutboundPlan {
  readonly contactId: string;
  readonly ghlContactId: string | null;
  readonly action: OutboundAction;
  readonly changes: readonly FieldChange[];
  readonly tagsToAdd: readonly string[];
  readonly tagsToRemove: readonly string[];
  /** Every GHL request carrying the plan out costs, the reads that decide it included. */
  readonly apiCalls: number;
  /** Why nothing is written (NOOP) or the contact is stopped (BLOCKED); null otherwise. */
  readonly reason: string | null;
}

/** A tag call of a plan, with the tags GHL holds after it (the echo it causes). */
export interface TagStep {
  readonly action: 'tags_add' | 'tags_remove';
  readonly tags: readonly string[];
  readonly tagsAfter: readonly string[];
}

/** The tag calls a merge needs: add first, then remove. */
export function tagStepsOf(ghlTags: readonly string[], tagsToAdd: readonly string[], tagsToRemove: readonly string[]) {
  const steps: TagStep[] = [];
  let tags = ghlTags;
  if (tagsToAdd.length > 0) {
    tags = [...new Set([...tags, ...tagsToAdd])].sort();
    steps.push({ action: 'tags_add', tags: tagsToAdd, tagsAfter: tags });
  }
  if (tagsToRemove.length > 0) {
    tags = tags.filter((tag) => !tagsToRemove.includes(tag));
    steps.push({ action: 'tags_remove', tags: tagsToRemove, tagsAfter: tags });
  }
  return steps;
}

/** A plan that writes nothing. */
export function noopPlan(
  contact: { id: string; ghlContactId: string | null },
  reason: string,
  apiCalls = 0,
): OutboundPlan {
  return {
    contactId: contact.id,
    ghlContactId: contact.ghlContactId,
    action: 'NOOP',
    changes: [],
    tagsToAdd: [],
    tagsToRemove: [],
    apiCalls,
    reason,
  };
}

/** A new GHL contact with `values` (every field from nothing), after `reads` lookups found none. */
export function createPlan(contactId: string, values: SyncedValues, rules: FieldRules, reads: number): OutboundPlan {
  const changes: FieldChange[] = Object.entries(values.fields).map(([field, to]) => ({
    field,
    from: null,
    to,
    rule: rules.ruleOf(field),
  }));
  if (values.tags.length > 0)
    changes.push({ field: 'tags', from: null, to: tagsValue(values.tags), rule: tagRulesOf(values.tags, rules) });
  return {
    contactId,
    ghlContactId: null,
    action: 'CREATE',
    changes: changes.sort(byField),
    tagsToAdd: [...values.tags],
    tagsToRemove: [],
    apiCalls: reads + 1,
    reason: null,
  };
}

/** The writes a merge against GHL's contact needs: a `PUT` of the pushed fields, then the tag calls. */
export function mergePlan(
  contact: { id: string; ghlContactId: string },
  ghl: SyncedValues,
  merge: ContactMerge,
  { rules, linking, reads }: { rules: FieldRules; linking: boolean; reads: number },
): OutboundPlan {
  const changes: FieldChange[] = Object.entries(merge.push).map(([field, to]) => ({
    field,
    from: ghl.fields[field] ?? null,
    to,
    rule: rules.ruleOf(field),
  }));
  const tagSteps = tagStepsOf(ghl.tags, merge.tagsToAdd, merge.tagsToRemove);
  const tagsAfter = tagSteps.at(-1)?.tagsAfter;
  if (tagsAfter)
    changes.push({
      field: 'tags',
      from: tagsValue(ghl.tags),
      to: tagsValue(tagsAfter),
      rule: tagRulesOf([...merge.tagsToAdd, ...merge.tagsToRemove], rules),
    });
  const writes = (Object.keys(merge.push).length > 0 ? 1 : 0) + tagSteps.length;
  return {
    contactId: contact.id,
    ghlContactId: contact.ghlContactId,
    action: linking ? 'LINK' : writes > 0 ? 'UPDATE' : 'NOOP',
    changes: changes.sort(byField),
    tagsToAdd: [...merge.tagsToAdd],
    tagsToRemove: [...merge.tagsToRemove],
    apiCalls: reads + writes,
    reason: linking || writes > 0 ? null : 'TrainU and GHL already agree',
  };
}

/** The rules of the tags a plan changes (tag patterns may give them different ones), comma-separated. */
function tagRulesOf(tags: readonly string[], rules: FieldRules): string {
  return [...new Set(tags.map((tag) => rules.tagRuleOf(tag)))].sort().join(',');
}

function byField(left: FieldChange, right: FieldChange): number {
  return left.field < right.field ? -1 : left.field > right.field ? 1 : 0;
}
