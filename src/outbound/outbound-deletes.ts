import { normalizeTags } from '../contacts/contact.mapper.js';

/**
 * What a TrainU delete (a soft delete, `deleted_at`, or a hard DELETE of the row) does in GHL
 * (`OUTBOUND_DELETES`): nothing (`ignore`, the default: a coach's CRM keeps the person), a
 * `DELETE /contacts/{id}`, or a tag added to the GHL contact so a coach can decide.
 */
export type OutboundDeletes =
  { readonly kind: 'ignore' } | { readonly kind: 'delete' } | { readonly kind: 'tag'; readonly tag: string };

/** `OUTBOUND_DELETES` as set, e.g. `tag:trainu-deleted`; a string naming the problem when it is not one of the three. */
export function parseOutboundDeletes(text: string | undefined): OutboundDeletes | string {
  const value = (text ?? 'ignore').trim();
  if (value === 'ignore' || value === 'delete') return { kind: value };
  if (value.startsWith('tag:')) {
    const [tag] = normalizeTags([value.slice('tag:'.length)]);
    if (tag) return { kind: 'tag', tag };
    return `OUTBOUND_DELETES=${JSON.stringify(value)}: tag: needs a tag name, such as tag:trainu-deleted`;
  }
  return `OUTBOUND_DELETES must be ignore, delete or tag:<name> (got ${JSON.stringify(value)})`;
}

/** As OUTBOUND_DELETES would hold it (the plan's rule, logs). */
export function describeOutboundDeletes(deletes: OutboundDeletes): string {
  return `OUTBOUND_DELETES=${deletes.kind === 'tag' ? `tag:${deletes.tag}` : deletes.kind}`;
}
