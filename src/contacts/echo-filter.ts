import type { GhlContactChange } from './contact.mapper.js';
import { fieldValuesOf } from './synced-values.js';

/** What an outbound write set in one field, not yet seen come back (outbound_echoes). */
export interface OpenEcho {
  readonly id: string;
  readonly field: string;
  readonly value: string | null;
}

export type EchoKind = 'echo' | 'near_miss' | 'none';

export interface FilteredChange {
  /** The change without the fields that are our own write coming back or that TrainU changed later. */
  readonly change: GhlContactChange;
  /** The echoes this change consumed (each at most once). */
  readonly consumed: readonly string[];
  /** `echo`: every field we wrote came back as written; `near_miss`: some came back otherwise. */
  readonly kind: EchoKind;
}

/**
 * Tells GHL's webhook after our own write from a change (ADR 0022). GHL names no writer, so it goes
 * by content: a field whose value equals one we wrote and have not seen back is an echo and is
 * dropped (TrainU may have moved on since), consuming that entry; a field TrainU changed after the
 * webhook's time is dropped too (the later write wins; the push sends it). Whatever else the change
 * carries is applied as usual, so a workflow that rewrote our value (a near miss) still lands.
 */
export function withoutEchoes(
  change: GhlContactChange,
  openEchoes: readonly OpenEcho[],
  trainuChangedAt: ReadonlyMap<string, Date>,
): FilteredChange {
  const consumed: string[] = [];
  const dropped = new Set<string>();
  let missed = 0;
  for (const [field, value] of fieldValuesOf(change)) {
    const written = openEchoes.filter((echo) => echo.field === field && !consumed.includes(echo.id));
    const match = written.find((echo) => echo.value === value);
    if (match) {
      consumed.push(match.id);
      dropped.add(field);
    } else if (written.length > 0) missed++;
    const changedInTrainu = trainuChangedAt.get(field);
    if (changedInTrainu && changedInTrainu > change.upstreamUpdatedAt) dropped.add(field);
  }
  const kind: EchoKind = missed > 0 ? 'near_miss' : consumed.length > 0 ? 'echo' : 'none';
  return { change: dropFields(change, dropped), consumed, kind };
}

function dropFields(change: GhlContactChange, dropped: ReadonlySet<string>): GhlContactChange {
  if (dropped.size === 0) return change;
  const fields = Object.fromEntries(Object.entries(change.fields).filter(([field]) => !dropped.has(field)));
  if (dropped.has('phone')) delete fields.phoneInvalidRaw;
  const keptCustomFieldIds = (change.customFields ?? [])
    .filter(({ fieldId }) => dropped.has(`customField.${fieldId}`))
    .map(({ fieldId }) => fieldId);
  return {
    ...change,
    fields,
    tags: dropped.has('tags') ? undefined : change.tags,
    customFields: change.customFields?.filter(({ fieldId }) => !dropped.has(`customField.${fieldId}`)),
    keptCustomFieldIds: [...(change.keptCustomFieldIds ?? []), ...keptCustomFieldIds],
  };
}
