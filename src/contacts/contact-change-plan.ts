import { randomUUID } from 'node:crypto';
import type { HandlerOutcome } from '../inbox/inbound-event.js';
import type { AgreedPatch } from './contact-sync-state.repository.js';
import type { ContactFields, CustomFieldValue, GhlContactChange, GhlContactDeletion } from './contact.mapper.js';
import type { ContactRow } from './contacts.repository.js';
import { FieldRules } from './field-rules.js';

/** The columns a change writes; the rest of a row is kept. */
export type ContactState = Pick<
  ContactRow,
  | 'id'
  | 'ghlContactId'
  | 'ghlLocationId'
  | 'email'
  | 'phone'
  | 'phoneInvalidRaw'
  | 'emailConflict'
  | 'emailConflictContactId'
  | 'firstName'
  | 'lastName'
  | 'ghlUpdatedAt'
  | 'deletedAt'
  | 'createdAt'
>;

/** An email another live contact already holds: kept apart, for the caller to log. */
export interface EmailConflict {
  readonly ghlContactId: string;
  readonly heldByContactId: string;
  readonly heldByGhlContactId: string | null;
}

export interface PlannedWrites {
  readonly created: readonly ContactState[];
  readonly updated: readonly ContactState[];
  /** Existing contacts whose email changes: cleared first, so the unique index never sees two holders. */
  readonly emailMoves: readonly string[];
  readonly tags: ReadonlyMap<string, readonly string[]>;
  /** The tags GHL never changes (`trainu_only`): TrainU's current ones stay when `tags` replaces its set. */
  readonly trainuOnlyTag?: (tag: string) => boolean;
  readonly customFields: ReadonlyMap<string, readonly CustomFieldValue[]>;
  /** Per contact in `customFields`, the fields whose current value stays although the set leaves them out. */
  readonly keptCustomFields: ReadonlyMap<string, readonly string[]>;
}

/**
 * Decides, in memory and in order, what a batch of GHL contact changes does to the contacts it can
 * touch (loaded beforehand under the batch's advisory locks): match by GHL id, else email, else
 * phone; last write wins on the upstream time; deletes are tombstones nothing revives; an email
 * held by another live contact is not merged. Each decision sees the ones before it, so a batch
 * ends exactly as the same changes applied one by one would.
 */
export class ContactChangePlan {
  readonly conflicts: EmailConflict[] = [];
  private readonly rows = new Map<string, ContactState>();
  private readonly original = new Map<string, ContactState>();
  private readonly created = new Set<string>();
  private readonly tags = new Map<string, readonly string[]>();
  private readonly customFields = new Map<string, readonly CustomFieldValue[]>();
  private readonly keptCustomFields = new Map<string, readonly string[]>();
  // Row ids by natural key, kept in step with `rows` by `index` (a page of 500 would otherwise scan).
  private readonly idByGhlId = new Map<string, string>();
  private readonly idByEmail = new Map<string, string>();
  private readonly idsByPhone = new Map<string, Set<string>>();

  /** Each change as applied (without its `trainu_only` fields), by GHL id, for `agreedAfter`. */
  private readonly applied = new Map<string, GhlContactChange>();

  constructor(
    loaded: readonly ContactState[],
    private readonly now: Date = new Date(),
    private readonly rules: FieldRules = FieldRules.DEFAULT,
  ) {
    for (const row of loaded) {
      this.index(undefined, row);
      this.original.set(row.id, row);
    }
  }

  /** The GHL ids, emails and phones whose holders a batch of changes needs loaded (and locked). */
  static naturalKeysOf(changes: readonly (GhlContactChange | GhlContactDeletion)[]) {
    const ghlIds = changes.map((change) => change.ghlContactId);
    const emails = changes.flatMap((change) =>
      'fields' in change && change.fields.email ? [change.fields.email] : [],
    );
    const phones = changes.flatMap((change) =>
      'fields' in change && change.fields.phone ? [change.fields.phone] : [],
    );
    return { ghlIds, emails, phones };
  }

  /** Applies `given`; its `trainu_only` fields still match it to a contact, and are not written. */
  change(given: GhlContactChange): HandlerOutcome {
    const linked = this.byGhlId(given.ghlContactId);
    if (linked?.deletedAt) return 'STALE';
    if (linked?.ghlUpdatedAt && linked.ghlUpdatedAt > given.upstreamUpdatedAt) return 'STALE';
    const target = linked ?? this.unlinkedMatch(given.fields);
    const change = this.rules.withoutTrainuOnly(given);
    this.applied.set(change.ghlContactId, change);
    const row = this.write(target, {
      ...definedFields(change.fields),
      ...this.emailColumns(change, target),
      ghlContactId: change.ghlContactId,
      ghlLocationId: change.ghlLocationId,
      ghlUpdatedAt: change.upstreamUpdatedAt,
    });
    if (change.tags) this.tags.set(row.id, change.tags);
    if (change.customFields) {
      this.customFields.set(row.id, change.customFields);
      this.keptCustomFields.set(row.id, change.keptCustomFieldIds ?? []);
    }
    return 'APPLIED';
  }

  /**
   * What both sides hold after `change` was applied, for the fields it carried: its values as the
   * contact now has them (an email kept apart as a conflict is not agreed on). Its tags are the ones
   * applied; `trainu_only` tags stay agreed or not as they were (`AgreedPatch.trainuOnlyTag`).
   */
  agreedAfter(given: GhlContactChange): AgreedPatch {
    const change = this.applied.get(given.ghlContactId) ?? given;
    const row = this.byGhlId(change.ghlContactId)!;
    const values: Record<string, string | null | readonly string[]> = {};
    for (const field of ['phone', 'firstName', 'lastName'] as const) {
      if (change.fields[field] !== undefined) values[field] = row[field];
    }
    if (change.fields.email !== undefined && row.emailConflict === null) values.email = row.email;
    if (change.tags) values.tags = change.tags;
    for (const { fieldId, value } of change.customFields ?? []) values[`customField.${fieldId}`] = value;
    const trainuOnlyTag = change.tags && this.trainuOnlyTag();
    return { contactId: row.id, values, ...(trainuOnlyTag && { trainuOnlyTag }) };
  }

  /** Tombstones the contact; an unknown one gets a tombstone row so a late create cannot bring it in. */
  deletion(deletion: GhlContactDeletion): HandlerOutcome {
    const existing = this.byGhlId(deletion.ghlContactId);
    if (existing?.deletedAt) return 'STALE';
    const ghlUpdatedAt =
      existing?.ghlUpdatedAt && existing.ghlUpdatedAt > deletion.deletedAt ? existing.ghlUpdatedAt : deletion.deletedAt;
    this.write(existing ?? null, {
      ghlContactId: deletion.ghlContactId,
      ghlLocationId: existing ? existing.ghlLocationId : deletion.ghlLocationId,
      deletedAt: deletion.deletedAt,
      ghlUpdatedAt,
    });
    return 'APPLIED';
  }

  writes(): PlannedWrites {
    const created: ContactState[] = [];
    const updated: ContactState[] = [];
    const emailMoves: string[] = [];
    for (const [id, row] of this.rows) {
      if (this.created.has(id)) created.push(row);
      else if (row !== this.original.get(id)) {
        updated.push(row);
        if (row.email !== this.original.get(id)!.email) emailMoves.push(id);
      }
    }
    return {
      created,
      updated,
      emailMoves,
      tags: this.tags,
      trainuOnlyTag: this.trainuOnlyTag(),
      customFields: this.customFields,
      keptCustomFields: this.keptCustomFields,
    };
  }

  /** Whether a tag is one GHL never changes; undefined when no tag is. */
  private trainuOnlyTag(): ((tag: string) => boolean) | undefined {
    return this.rules.keepsTrainuTags ? (tag) => !this.rules.pullsTag(tag) : undefined;
  }

  private write(target: ContactState | null, data: Partial<ContactState>): ContactState {
    const row: ContactState = target ? { ...target, ...data } : { ...emptyContact(randomUUID(), this.now), ...data };
    if (!target) this.created.add(row.id);
    this.index(target ?? undefined, row);
    return row;
  }

  private index(previous: ContactState | undefined, row: ContactState): void {
    if (previous?.ghlContactId && this.idByGhlId.get(previous.ghlContactId) === row.id) {
      this.idByGhlId.delete(previous.ghlContactId);
    }
    if (previous?.email && this.idByEmail.get(previous.email) === row.id) this.idByEmail.delete(previous.email);
    if (previous?.phone) this.idsByPhone.get(previous.phone)?.delete(row.id);
    this.rows.set(row.id, row);
    if (row.ghlContactId) this.idByGhlId.set(row.ghlContactId, row.id);
    if (row.email) this.idByEmail.set(row.email, row.id);
    if (row.phone) {
      const ids = this.idsByPhone.get(row.phone) ?? new Set<string>();
      this.idsByPhone.set(row.phone, ids.add(row.id));
    }
  }

  /** A contact not yet linked to GHL that is the same person: same email, else same phone. */
  private unlinkedMatch(fields: ContactFields): ContactState | null {
    if (fields.email) {
      const holder = this.byEmail(fields.email);
      if (holder && holder.ghlContactId === null && holder.deletedAt === null) return holder;
    }
    if (!fields.phone) return null;
    const candidates = [...(this.idsByPhone.get(fields.phone) ?? [])]
      .map((id) => this.rows.get(id)!)
      .filter((row) => row.ghlContactId === null && row.email === null && row.deletedAt === null);
    return candidates.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0] ?? null;
  }

  /**
   * Emails are unique. An address held by a deleted contact moves to the live one; an address held
   * by another live contact is not merged: this contact keeps it in `email_conflict`.
   */
  private emailColumns(
    change: GhlContactChange,
    target: ContactState | null,
  ): Partial<Pick<ContactState, 'email' | 'emailConflict' | 'emailConflictContactId'>> {
    const email = change.fields.email;
    if (email === undefined) return {};
    const free = { email, emailConflict: null, emailConflictContactId: null };
    if (email === null) return free;
    const holder = this.byEmail(email);
    if (!holder || holder.id === target?.id) return free;
    if (holder.deletedAt) {
      this.write(holder, { email: null });
      return free;
    }
    this.conflicts.push({
      ghlContactId: change.ghlContactId,
      heldByContactId: holder.id,
      heldByGhlContactId: holder.ghlContactId,
    });
    return { email: null, emailConflict: email, emailConflictContactId: holder.id };
  }

  private byGhlId(ghlContactId: string): ContactState | undefined {
    const id = this.idByGhlId.get(ghlContactId);
    return id === undefined ? undefined : this.rows.get(id);
  }

  private byEmail(email: string): ContactState | undefined {
    const id = this.idByEmail.get(email);
    return id === undefined ? undefined : this.rows.get(id);
  }
}

function definedFields(fields: ContactFields): Partial<ContactState> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function emptyContact(id: string, now: Date): ContactState {
  return {
    id,
    ghlContactId: null,
    ghlLocationId: null,
    email: null,
    phone: null,
    phoneInvalidRaw: null,
    emailConflict: null,
    emailConflictContactId: null,
    firstName: null,
    lastName: null,
    ghlUpdatedAt: null,
    deletedAt: null,
    createdAt: now,
  };
}
