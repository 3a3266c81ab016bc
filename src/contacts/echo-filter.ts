import type { GhlContactChange } from './contact.mapper.js';
import { fieldValuesOf } from './synced-values.js';
import { withoutFields } from './change-fields.js';

/** What an outbound write set in one field, within the echo window (outbound_echoes). */
export interface OpenEcho {
  readonly id: string;
  readonly field: string;
  readonly value: string | null;
  /** Already matched by an earlier webhook: a second delivery of that echo matches it again, consuming nothing. */
  readonly consumed: boolean;
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
 * by content, per field we wrote within the echo window:
 * - the value equals one we wrote and have not seen back: an echo; the field is dropped (TrainU may
 *   have moved on since) and the entry consumed; equal to one seen back already: dropped too;
 * - the value is none we wrote: a near miss. GHL changed the field after our write (a workflow), or
 *   this is an older change delivered late (GHL's `timestamp` is its send time, so it cannot tell):
 *   the field is dropped and the contact reconciled, i.e. GHL's current state fetched and merged.
 * A field TrainU changed after the webhook's time is dropped too (the later write wins; the push
 * sends it). Fields we did not write are applied as usual. Nothing is suppressed by time alone: an
 * expired entry matches nothing.
 */
export function withoutEchoes(
  change: GhlContactChange,
  openEchoes: readonly OpenEcho[],
  trainuChangedAt: ReadonlyMap<string, Date>,
): FilteredChange {
  const consumed: string[] = [];
  const dropped = new Set<string>();
  let matched = 0;
  let missed = 0;
  for (const [field, value] of fieldValuesOf(change)) {
    const written = openEchoes.filter((echo) => echo.field === field);
    const match =
      written.find((echo) => !echo.consumed && !consumed.includes(echo.id) && echo.value === value) ??
      written.find((echo) => echo.value === value);
    if (match) {
      if (!match.consumed && !consumed.includes(match.id)) consumed.push(match.id);
      matched++;
    } else if (written.length > 0) missed++;
    if (written.length > 0) dropped.add(field);
    const changedInTrainu = trainuChangedAt.get(field);
    if (changedInTrainu && changedInTrainu > change.upstreamUpdatedAt) dropped.add(field);
  }
  const kind: EchoKind = missed > 0 ? 'near_miss' : matched > 0 ? 'echo' : 'none';
  return { change: withoutFields(change, dropped), consumed, kind };
}
