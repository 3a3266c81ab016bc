import { ghlId } from './ghl-stand-in.js';
import { e164, type Answer, type GhlApiRecords, type StandInContact } from './ghl-api-records.js';
import { unprocessable } from './ghl-api-reads.js';
import type { ContactEventType } from './ghl-stand-in.js';

/** The contact writes GHL answers, by action. */
export type ContactWriteAction = 'create' | 'update' | 'upsert' | 'addTags' | 'removeTags' | 'delete';

/** What a successful write changed, for the webhook GHL then sends (the contact as it is now). */
export interface ContactChange {
  readonly type: ContactEventType;
  readonly contact: StandInContact;
}

export interface WriteOutcome {
  readonly answer: Answer;
  readonly change?: ContactChange;
}

/** Fields of GHL's DTOs (the SDK's `CreateContactDto`, `UpdateContactDto`, `UpsertContactDto`). */
const UPDATE_FIELDS = [
  'firstName',
  'lastName',
  'name',
  'email',
  'phone',
  'address1',
  'city',
  'state',
  'postalCode',
  'website',
  'timezone',
  'dnd',
  'dndSettings',
  'inboundDndSettings',
  'tags',
  'customFields',
  'source',
  'dateOfBirth',
  'country',
  'assignedTo',
];
const CREATE_FIELDS = [...UPDATE_FIELDS, 'locationId', 'gender', 'companyName'];
const UPSERT_FIELDS = [...CREATE_FIELDS, 'createNewIfDuplicateAllowed'];
/** Accepted by upsert with a 200 and silently discarded ([ISS#313]). */
const UPSERT_DISCARDED = ['gender'];

/** What the stand-in keeps of a write body (GHL keeps more; the sync reads these). */
export type ContactFieldName = 'email' | 'phone' | 'firstName' | 'lastName';
const KEPT_FIELDS: ContactFieldName[] = ['email', 'phone', 'firstName', 'lastName'];

/**
 * GHL's contact writes, with its quirks (reference/outbound-sync.md §1): the duplicate 400 with
 * `meta` when the location disallows duplicates, `tags` on PUT and upsert overwriting every tag,
 * 422 `property X should not exist` for fields a DTO lacks, E.164 phones, upsert dropping a phone
 * that belongs to another contact ([ISS#37]), and `dateUpdated` moving on every write.
 */
export class GhlContactWrites {
  allowDuplicates = false;
  readonly rejectedFields = new Set<string>();

  constructor(private readonly records: GhlApiRecords) {}

  create(body: Record<string, unknown>): WriteOutcome {
    const refused = this.refusal(body, CREATE_FIELDS);
    if (refused) return { answer: refused };
    if (body.locationId !== this.records.locationId) return { answer: unprocessable('locationId should not be empty') };
    const duplicate = this.duplicateOf(body);
    if (duplicate) return { answer: duplicate };
    const contact = this.newContact(body);
    return { answer: { status: 201, body: { contact } }, change: { type: 'ContactCreate', contact } };
  }

  update(id: string, body: Record<string, unknown>): WriteOutcome {
    const contact = this.records.contacts.get(id);
    if (!contact) return { answer: notFound() };
    const refused = this.refusal(body, UPDATE_FIELDS);
    if (refused) return { answer: refused };
    const duplicate = this.duplicateOf(body, id);
    if (duplicate) return { answer: duplicate };
    this.apply(contact, body);
    // (sic) GHL's v2 spelling.
    return { answer: { status: 200, body: { succeded: true, contact } }, change: { type: 'ContactUpdate', contact } };
  }

  /** Matches by email, then phone; when they name different contacts, the phone is dropped ([ISS#37]). */
  upsert(body: Record<string, unknown>): WriteOutcome {
    const refused = this.refusal(body, UPSERT_FIELDS);
    if (refused) return { answer: refused };
    const kept = Object.fromEntries(Object.entries(body).filter(([name]) => !UPSERT_DISCARDED.includes(name)));
    const byEmail = this.records.contactWith('email', stringOf(body.email));
    const byPhone = this.records.contactWith('phone', stringOf(body.phone));
    const existing = byEmail ?? byPhone;
    if (!existing || (this.allowDuplicates && body.createNewIfDuplicateAllowed === true)) {
      const contact = this.newContact(kept);
      return {
        answer: { status: 200, body: { new: true, contact, traceId: crypto.randomUUID() } },
        change: { type: 'ContactCreate', contact },
      };
    }
    if (byEmail && byPhone && byEmail !== byPhone) delete kept.phone;
    this.apply(existing, kept);
    return {
      answer: { status: 200, body: { new: false, contact: existing, traceId: crypto.randomUUID() } },
      change: { type: 'ContactUpdate', contact: existing },
    };
  }

  /** POST /contacts/{id}/tags (201) and DELETE (200): `{tags}` required; answers the contact's tags. */
  tags(id: string, body: Record<string, unknown>, action: 'addTags' | 'removeTags'): WriteOutcome {
    const contact = this.records.contacts.get(id);
    if (!contact) return { answer: notFound() };
    if (!Array.isArray(body.tags) || body.tags.some((tag) => typeof tag !== 'string')) {
      return { answer: unprocessable('tags must be an array of strings') };
    }
    const named = (body.tags as string[]).map((tag) => tag.trim()).filter(Boolean);
    contact.tags =
      action === 'addTags'
        ? [...contact.tags, ...named.filter((tag) => !contact.tags.includes(tag))]
        : contact.tags.filter((tag) => !named.includes(tag));
    this.records.touch(contact);
    return {
      answer: { status: action === 'addTags' ? 201 : 200, body: { tags: contact.tags } },
      change: { type: 'ContactTagUpdate', contact },
    };
  }

  delete(id: string): WriteOutcome {
    const contact = this.records.contacts.get(id);
    if (!contact) return { answer: notFound() };
    this.records.contacts.delete(id);
    return { answer: { status: 200, body: { succeded: true } }, change: { type: 'ContactDelete', contact } };
  }

  /** A change made inside GHL (a coach in the app, a workflow): no DTO rules, a new `dateUpdated`. */
  edit(id: string, fields: Partial<Pick<StandInContact, ContactFieldName | 'tags' | 'customFields'>>): StandInContact {
    const contact = this.records.contacts.get(id);
    if (!contact) throw new Error(`no contact ${id} in the stand-in`);
    this.apply(contact, fields);
    return contact;
  }

  private refusal(body: Record<string, unknown>, allowed: string[]): Answer | undefined {
    const unknown = Object.keys(body).filter((name) => !allowed.includes(name) || this.rejectedFields.has(name));
    if (unknown.length > 0) return unprocessable(...unknown.map((name) => `property ${name} should not exist`));
    if (body.customFields !== undefined && !Array.isArray(body.customFields)) {
      return unprocessable('customFields must be an array');
    }
    const fields = (body.customFields ?? []) as Record<string, unknown>[];
    if (fields.some((field) => typeof field?.id !== 'string')) return unprocessable('customFields.id must be a string');
    return undefined;
  }

  /** GHL's answer to a write that would make a second contact with an email or phone (unconfirmed shape). */
  private duplicateOf(body: Record<string, unknown>, exceptId?: string): Answer | undefined {
    if (this.allowDuplicates) return undefined;
    for (const field of ['email', 'phone'] as const) {
      const holder = this.records.contactWith(field, stringOf(body[field]), exceptId);
      if (!holder) continue;
      return {
        status: 400,
        body: {
          statusCode: 400,
          message: 'This location does not allow duplicated contacts.',
          meta: {
            contactId: holder.id,
            contactName: [holder.firstName, holder.lastName].filter(Boolean).join(' '),
            matchingField: field,
          },
        },
      };
    }
    return undefined;
  }

  /** A contact stored with `body`'s fields, added and updated at the same instant. */
  private newContact(body: Record<string, unknown>): StandInContact {
    const at = new Date().toISOString();
    const contact: StandInContact = {
      id: ghlId(),
      locationId: this.records.locationId,
      email: null,
      phone: null,
      firstName: null,
      lastName: null,
      tags: [],
      customFields: [],
      dateAdded: at,
      dateUpdated: at,
    };
    this.apply(contact, body);
    contact.dateAdded = contact.dateUpdated;
    this.records.contacts.set(contact.id, contact);
    return contact;
  }

  /** Sets what the body carries; `tags` replace all tags (the quirk), custom fields merge by id. */
  private apply(contact: StandInContact, body: Record<string, unknown>): void {
    for (const name of KEPT_FIELDS) {
      if (!(name in body)) continue;
      const value = stringOf(body[name]) ?? null;
      contact[name] = name === 'phone' && value ? e164(value) : value;
    }
    if (Array.isArray(body.tags)) contact.tags = [...new Set((body.tags as string[]).map((tag) => tag.trim()))];
    if (Array.isArray(body.customFields)) {
      for (const field of body.customFields as Record<string, unknown>[]) {
        // v2 documents `field_value`, v3 and live v2 PUTs take `fieldValue`; the read side is `value`.
        const value =
          'field_value' in field ? field.field_value : 'fieldValue' in field ? field.fieldValue : field.value;
        const id = String(field.id);
        const others = contact.customFields.filter((existing) => existing.id !== id);
        contact.customFields = value === null || value === '' ? others : [...others, { id, value }];
      }
    }
    this.records.touch(contact);
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function notFound(): Answer {
  return { status: 404, body: { statusCode: 404, message: 'Contact not found' } };
}
