import type { SyncedValues } from './contact-sync-state.repository.js';
import { normalizeTags, type CustomFieldValue, type GhlContactChange } from './contact.mapper.js';

/** The scalar fields both sides have, by the names of SYNC_FIELD_RULES. */
export const SCALAR_FIELDS = ['email', 'phone', 'firstName', 'lastName'] as const;

export const CUSTOM_FIELD_PREFIX = 'customField.';

/** Tags as one value, as the echo ledger and the conflict log show them: sorted, comma-separated. */
export function tagsValue(tags: readonly string[]): string {
  return [...tags].sort().join(',');
}

/** A change's values by field name (only the fields it carries), tags as one value. */
export function fieldValuesOf(change: GhlContactChange): Map<string, string | null> {
  const values = new Map<string, string | null>();
  for (const field of SCALAR_FIELDS) {
    if (change.fields[field] !== undefined) values.set(field, change.fields[field]);
  }
  if (change.tags) values.set('tags', tagsValue(change.tags));
  for (const { fieldId, value } of change.customFields ?? []) values.set(`${CUSTOM_FIELD_PREFIX}${fieldId}`, value);
  return values;
}

/** A contact's values as the three-way merge compares them (blank fields left out). */
export function syncedValuesOf(
  scalars: Readonly<Partial<Record<(typeof SCALAR_FIELDS)[number], string | null>>>,
  tags: readonly string[],
  customFields: readonly CustomFieldValue[],
): SyncedValues {
  const fields: Record<string, string | null> = {};
  for (const field of SCALAR_FIELDS) {
    const value = scalars[field];
    if (value !== undefined && value !== null) fields[field] = value;
  }
  for (const { fieldId, value } of customFields) {
    if (value !== null) fields[`${CUSTOM_FIELD_PREFIX}${fieldId}`] = value;
  }
  return { fields, tags: normalizeTags(tags) };
}
