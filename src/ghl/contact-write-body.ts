import type { GhlContactFields, GhlContactUpdate, GhlCustomFieldValue } from './ghl-contact.js';

/** A custom field in GHL's v2 write format (reference/outbound-sync.md §1, [DOCS] `TextField`…). */
export interface CustomFieldWrite {
  readonly id: string;
  readonly field_value: unknown;
}

export interface ContactWriteBody {
  email?: string | null;
  phone?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  customFields?: CustomFieldWrite[];
}

/** POST /contacts/: the location, the given fields, tags included (a create has none to overwrite). */
export function createContactBody(
  locationId: string,
  fields: GhlContactFields,
): ContactWriteBody & { locationId: string; tags?: string[] } {
  const { tags, ...rest } = fields;
  return { locationId, ...writeBody(rest), ...(tags === undefined ? {} : { tags: [...tags] }) };
}

/**
 * PUT /contacts/{id}: only the fields given, so GHL leaves the others as they are. No `locationId`
 * (UpdateContactDto rejects it, 422) and no `tags`, even if a caller slips one past the type.
 */
export function updateContactBody(fields: GhlContactUpdate): ContactWriteBody {
  return writeBody(fields);
}

/** The fields the body mapping knows, and only those: anything else (tags included) stays out. */
function writeBody(fields: Omit<GhlContactFields, 'tags'>): ContactWriteBody {
  const body: ContactWriteBody = {};
  if (fields.email !== undefined) body.email = fields.email;
  if (fields.phone !== undefined) body.phone = fields.phone;
  if (fields.firstName !== undefined) body.firstName = fields.firstName;
  if (fields.lastName !== undefined) body.lastName = fields.lastName;
  if (fields.customFields !== undefined) body.customFields = fields.customFields.map(customFieldWrite);
  return body;
}

/**
 * v2's documented `field_value` (v3 prefers `fieldValue`, and live v2 PUTs take it too; the
 * documented name is the one GHL has promised to keep for this Version).
 */
function customFieldWrite(field: GhlCustomFieldValue): CustomFieldWrite {
  return { id: field.id, field_value: field.value };
}
