import type { GhlContactChange } from './contact.mapper.js';
import { CUSTOM_FIELD_PREFIX } from './synced-values.js';

/**
 * `change` without the fields named in `dropped` (SYNC_FIELD_RULES names): TrainU keeps its own
 * values of them. A custom field left out of the change's set is kept, not deleted, as is each of
 * `keptCustomFieldIds`; a dropped `phone` takes its unreadable raw value with it.
 */
export function withoutFields(
  change: GhlContactChange,
  dropped: ReadonlySet<string>,
  keptCustomFieldIds: readonly string[] = [],
): GhlContactChange {
  if (dropped.size === 0 && keptCustomFieldIds.length === 0) return change;
  const fields = Object.fromEntries(Object.entries(change.fields).filter(([field]) => !dropped.has(field)));
  if (dropped.has('phone')) delete fields.phoneInvalidRaw;
  const isDropped = ({ fieldId }: { fieldId: string }) => dropped.has(`${CUSTOM_FIELD_PREFIX}${fieldId}`);
  const kept = [...(change.customFields ?? []).filter(isDropped).map(({ fieldId }) => fieldId), ...keptCustomFieldIds];
  return {
    ...change,
    fields,
    tags: dropped.has('tags') ? undefined : change.tags,
    customFields: change.customFields?.filter((value) => !isDropped(value)),
    keptCustomFieldIds: [...new Set([...(change.keptCustomFieldIds ?? []), ...kept])],
  };
}
