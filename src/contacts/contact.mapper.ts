import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { GhlContactWebhookDto } from './dto/contact-webhook.dto.js';
import { upstreamTimeOf } from '../inbox/upstream-time.js';

/** The contact fields GHL sends that TrainU keeps; a field left out was not in the payload. */
export interface ContactFields {
  email?: string | null;
  phone?: string | null;
  /** Set (with `phone` null) when GHL's phone is not a valid number; cleared when it is. */
  phoneInvalidRaw?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

export interface CustomFieldValue {
  readonly fieldId: string;
  readonly value: string | null;
}

/** One GHL contact change, mapped to TrainU's shape and ready to be applied. */
export interface GhlContactChange {
  readonly ghlContactId: string;
  readonly ghlLocationId: string;
  /** Upstream time of the change: `dateUpdated` when GHL sends it, else the delivery's `timestamp`. */
  readonly upstreamUpdatedAt: Date;
  readonly fields: ContactFields;
  /** The complete normalized tag set, or undefined to leave tags as they are. */
  readonly tags: readonly string[] | undefined;
  /** The complete set of custom field values, or undefined to leave them as they are. */
  readonly customFields: readonly CustomFieldValue[] | undefined;
  /** Custom fields left out of `customFields` whose TrainU value stays (an echo of our write, ADR 0022). */
  readonly keptCustomFieldIds?: readonly string[];
}

/** Trimmed and lower-cased; empty means none. */
export function normalizeEmail(raw: string | null | undefined): string | null {
  const email = raw?.trim().toLowerCase();
  return email ? email : null;
}

/**
 * E.164 when the number is valid (numbers without a country code are read in `region`); otherwise
 * the raw text is kept aside so no phone GHL sent is lost.
 */
export function normalizePhone(
  raw: string | null | undefined,
  region: CountryCode,
): Pick<ContactFields, 'phone' | 'phoneInvalidRaw'> {
  const text = raw?.trim();
  if (!text) return { phone: null, phoneInvalidRaw: null };
  const parsed = parsePhoneNumberFromString(text, region);
  return parsed?.isValid() ? { phone: parsed.number, phoneInvalidRaw: null } : { phone: null, phoneInvalidRaw: text };
}

/** Trimmed, case-folded, inner whitespace collapsed, empty ones dropped, duplicates removed, sorted. */
export function normalizeTags(raw: readonly string[]): string[] {
  const tags = raw.map((tag) => tag.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase()).filter(Boolean);
  return [...new Set(tags)].sort();
}

/** Custom field values as text: strings as sent, other values as JSON; the last value for a field wins. */
export function normalizeCustomFields(raw: readonly { id: string; value?: unknown }[]): CustomFieldValue[] {
  const byField = new Map<string, string | null>();
  for (const { id, value } of raw) {
    byField.set(
      id,
      value === undefined || value === null ? null : typeof value === 'string' ? value : JSON.stringify(value),
    );
  }
  return [...byField].map(([fieldId, value]) => ({ fieldId, value }));
}

/** A contact deleted in GHL, as of the upstream time of the deletion. */
export interface GhlContactDeletion {
  readonly ghlContactId: string;
  readonly ghlLocationId: string;
  readonly deletedAt: Date;
}

function upstreamTimeOfContact(payload: GhlContactWebhookDto): Date {
  return upstreamTimeOf(`GHL contact ${payload.id}`, {
    dateUpdated: payload.dateUpdated,
    timestamp: payload.timestamp,
  });
}

/** Maps a contact webhook (or a REST contact of the same shape) to the change it makes. */
export function mapGhlContact(payload: GhlContactWebhookDto, region: CountryCode): GhlContactChange {
  const upstreamUpdatedAt = upstreamTimeOfContact(payload);
  const fields: ContactFields = {};
  if (payload.email !== undefined) fields.email = normalizeEmail(payload.email);
  if (payload.phone !== undefined) Object.assign(fields, normalizePhone(payload.phone, region));
  if (payload.firstName !== undefined) fields.firstName = payload.firstName?.trim() || null;
  if (payload.lastName !== undefined) fields.lastName = payload.lastName?.trim() || null;
  return {
    ghlContactId: payload.id,
    ghlLocationId: payload.locationId,
    upstreamUpdatedAt,
    fields,
    tags: payload.tags === undefined ? undefined : normalizeTags(payload.tags ?? []),
    customFields: payload.customFields === undefined ? undefined : normalizeCustomFields(payload.customFields ?? []),
  };
}

export function mapGhlContactDeletion(payload: GhlContactWebhookDto): GhlContactDeletion {
  return { ghlContactId: payload.id, ghlLocationId: payload.locationId, deletedAt: upstreamTimeOfContact(payload) };
}
