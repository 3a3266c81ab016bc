import { PermanentSyncError } from '../dlq/sync-errors.js';

/**
 * The upstream time a GHL change is ordered by: the first of `candidates` (in order of preference,
 * keyed by field name) that is present. Without a readable one the change can never be ordered, so
 * no retry can help: a permanent error naming the fields.
 */
export function upstreamTimeOf(subject: string, candidates: Readonly<Record<string, string | null | undefined>>): Date {
  const value = Object.values(candidates).find((candidate) => candidate);
  if (!value) {
    const names = Object.keys(candidates);
    const missing = names.length === 1 ? `no ${names[0]}` : `neither ${names.join(' nor ')}`;
    throw new PermanentSyncError(`${subject} carries ${missing}`);
  }
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new PermanentSyncError(`${subject} carries an unreadable time`);
  return time;
}
