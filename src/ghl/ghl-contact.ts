/** A custom field value as GHL reads it back (`{id, value}`; no `key` on the read side). */
export interface GhlCustomFieldValue {
  readonly id: string;
  /** Typed by the field: string, number, string[] (checkbox, multiselect), object (file). */
  readonly value: unknown;
}

/** The contact fields the sync writes to GHL. */
export interface GhlContactFields {
  readonly email?: string | null;
  readonly phone?: string | null;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  /** Tag names. Allowed on create only: on PUT `tags` replaces every tag the contact has. */
  readonly tags?: readonly string[];
  readonly customFields?: readonly GhlCustomFieldValue[];
}

/** What an update may carry: never `tags` (use addTags / removeTags). */
export type GhlContactUpdate = Omit<GhlContactFields, 'tags'> & { readonly tags?: never };

/** A contact as GHL answers it, reduced to what the sync compares; `dateUpdated` is GHL's version. */
export interface GhlContactRecord {
  readonly id: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly tags: string[];
  readonly customFields: GhlCustomFieldValue[];
  /** ISO time of GHL's last change; null only when GHL left it out. */
  readonly dateUpdated: string | null;
}

/** The natural key to look a contact up by before creating it. */
export type DuplicateLookup = { readonly email: string } | { readonly phone: string };

/** GHL's contact object (from a GET, a create, an update or the duplicate search) as a record. */
export function toContactRecord(raw: Record<string, unknown>): GhlContactRecord {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  const customFields = Array.isArray(raw.customFields) ? (raw.customFields as Record<string, unknown>[]) : [];
  return {
    id: String(raw.id),
    email: text(raw.email),
    phone: text(raw.phone),
    firstName: text(raw.firstName),
    lastName: text(raw.lastName),
    tags: Array.isArray(raw.tags) ? raw.tags.map(String) : [],
    customFields: customFields.map((field) => ({ id: String(field.id), value: field.value ?? field.field_value })),
    dateUpdated: text(raw.dateUpdated),
  };
}
