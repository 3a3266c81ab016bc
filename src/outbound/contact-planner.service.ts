import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ContactSyncStateRepository, type SyncedValues } from '../contacts/contact-sync-state.repository.js';
import { mapGhlContact, normalizeEmail, normalizePhone } from '../contacts/contact.mapper.js';
import type { GhlContactWebhookDto } from '../contacts/dto/contact-webhook.dto.js';
import type { FieldRules } from '../contacts/field-rules.js';
import { syncedValuesOf, tagsValue } from '../contacts/synced-values.js';
import { PrismaService, type SqlClient } from '../database/prisma.service.js';
import { markSyncOrigin } from '../database/sync-origin.js';
import { PermanentSyncError } from '../dlq/sync-errors.js';
import { GhlClient } from '../ghl/ghl-client.js';
import type { GhlContactRecord } from '../ghl/ghl-contact.js';
import { mergeContact, type ContactMerge } from './contact-merge.js';
import { ContactOutboxRepository, type PendingChanges } from './contact-outbox.repository.js';
import { describeOutboundDeletes } from './outbound-deletes.js';
import { OutboundContactsRepository, type OutboundContact } from './outbound-contacts.repository.js';
import { OutboundLogRepository } from './outbound-log.repository.js';
import { createPlan, mergePlan, noopPlan, tagStepsOf, type OutboundPlan, type TagStep } from './outbound-plan.js';

/** What a push reads in its first transaction. */
export interface PushInput {
  readonly contact: OutboundContact;
  readonly pending: PendingChanges;
  /** The last state both sides agreed on; null when they never were in step. */
  readonly agreed: SyncedValues | null;
}

/**
 * A plan and what carrying it out needs. `close`: nothing to write, the rows are done (a delete
 * OUTBOUND_DELETES leaves alone, say). `blocked`: the worker dead-letters the contact with `error`.
 */
export type PlannedPush =
  | { readonly kind: 'nothing pending' }
  | { readonly kind: 'close'; readonly plan: OutboundPlan; readonly pending: PendingChanges }
  | {
      readonly kind: 'blocked';
      readonly plan: OutboundPlan;
      readonly pending: PendingChanges;
      readonly error: PermanentSyncError;
    }
  | { readonly kind: 'create'; readonly plan: OutboundPlan; readonly input: PushInput; readonly values: SyncedValues }
  | { readonly kind: 'merge'; readonly plan: OutboundPlan; readonly input: PushInput; readonly merged: PlannedMerge }
  | {
      readonly kind: 'delete';
      readonly plan: OutboundPlan;
      readonly pending: PendingChanges;
      readonly ghlContactId: string;
    }
  | {
      readonly kind: 'tag delete';
      readonly plan: OutboundPlan;
      readonly pending: PendingChanges;
      readonly ghlContactId: string;
      readonly step: TagStep;
    };

/** The outbox rows a plan covers, whatever its kind. */
export function pendingOf(planned: Exclude<PlannedPush, { kind: 'nothing pending' }>): PendingChanges {
  return 'input' in planned ? planned.input.pending : planned.pending;
}

/** A three-way merge against the GHL contact as it is now, and the calls it needs. */
export interface PlannedMerge {
  readonly current: GhlContactRecord;
  readonly linking: boolean;
  readonly merge: ContactMerge;
  readonly ghlTags: readonly string[];
  readonly tagSteps: readonly TagStep[];
}

type Loaded =
  | { readonly kind: 'nothing pending' }
  | {
      readonly kind: 'deleted';
      readonly contactId: string;
      readonly ghlContactId: string | null;
      readonly alreadyDeleted: boolean;
      readonly pending: PendingChanges;
    }
  | {
      readonly kind: 'blocked';
      readonly plan: OutboundPlan;
      readonly pending: PendingChanges;
      readonly error: PermanentSyncError;
    }
  | { readonly kind: 'live'; readonly input: PushInput };

/**
 * Works out what pushing one contact's current state to GHL takes (ADR 0022, 0024), reading GHL
 * (the lookup of an unlinked contact, the linked one's `GET`) and never writing to it: the worker
 * carries the plan out, shadow mode records it, preview shows it. The same code for all three, so
 * what preview shows is what the worker does.
 */
@Injectable()
export class ContactPlanner {
  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
    private readonly ghl: GhlClient,
    private readonly contacts: OutboundContactsRepository,
    private readonly outbox: ContactOutboxRepository,
    private readonly syncState: ContactSyncStateRepository,
    private readonly log: OutboundLogRepository,
  ) {}

  private get rules(): FieldRules {
    return this.config.sync.fieldRules;
  }

  /**
   * The plan for the contact's pending changes. `persist` (the worker) writes TrainU's email and
   * phone back normalised, as inbound stores them, origin-marked; preview and shadow mode leave
   * TrainU as it is and plan with the same normalised values.
   */
  async plan(contactId: string, { persist }: { persist: boolean }): Promise<PlannedPush> {
    const loaded = await this.prisma.inPlainTransaction((client) => this.load(contactId, persist, client));
    switch (loaded.kind) {
      case 'nothing pending':
      case 'blocked':
        return loaded;
      case 'deleted':
        return this.planDelete(loaded);
      case 'live':
        return loaded.input.contact.ghlContactId
          ? this.planMerge(loaded.input, loaded.input.contact.ghlContactId)
          : this.planCreateOrLink(loaded.input);
    }
  }

  /**
   * Merges against the GHL contact `ghlContactId` (fetched, unless `linking` is it: an unlinked
   * contact just found, with which nothing was ever agreed).
   */
  async planMerge(input: PushInput, ghlContactId: string, linking?: GhlContactRecord, reads = 0): Promise<PlannedPush> {
    const { contact, pending, agreed } = input;
    const current = linking ?? (await this.ghl.getContact(ghlContactId));
    if (!linking) reads += 1;
    if (!current) {
      const reason = `GHL contact ${ghlContactId} no longer exists (deleted in GHL?); TrainU contact ${contact.id} not pushed`;
      return blocked({ ...contact, ghlContactId }, pending, reason, 'UpstreamRejected', reads);
    }
    const ghl = ghlValuesOf(current, this.config);
    const merge = mergeContact({
      trainu: trainuValuesOf(contact),
      ghl,
      agreed: linking ? null : agreed,
      trainuChangedAt: (field) => pending.changedAt.get(field) ?? contact.updatedAt,
      ghlChangedAt: current.dateUpdated ? new Date(current.dateUpdated) : null,
      rules: this.rules,
    });
    const plan = mergePlan({ id: contact.id, ghlContactId: current.id }, ghl, merge, {
      rules: this.rules,
      linking: Boolean(linking),
      reads,
    });
    const tagSteps = tagStepsOf(ghl.tags, merge.tagsToAdd, merge.tagsToRemove);
    return {
      kind: 'merge',
      plan,
      input,
      merged: { current, linking: Boolean(linking), merge, ghlTags: ghl.tags, tagSteps },
    };
  }

  /** No GHL id: the GHL contact with the same email (else phone) is linked, or a new one created. */
  private async planCreateOrLink(input: PushInput): Promise<PlannedPush> {
    const { contact } = input;
    let reads = 0;
    const find = (lookup: { email: string } | { phone: string }) => {
      reads += 1;
      return this.ghl.findDuplicate(lookup);
    };
    const existing =
      (contact.email ? await find({ email: contact.email }) : null) ??
      (contact.phone ? await find({ phone: contact.phone }) : null);
    if (existing) return this.planMerge(input, existing.id, existing, reads);
    const values = pushableValues(trainuValuesOf(contact), this.rules);
    return { kind: 'create', plan: createPlan(contact.id, values, this.rules, reads), input, values };
  }

  /** A contact deleted in TrainU, by OUTBOUND_DELETES; never linked, or gone from GHL already: nothing. */
  private async planDelete(deleted: Extract<Loaded, { kind: 'deleted' }>): Promise<PlannedPush> {
    const deletes = this.config.outbound.deletes;
    const { pending, ghlContactId } = deleted;
    const contact = { id: deleted.contactId, ghlContactId };
    const close = (reason: string, apiCalls = 0) => ({
      kind: 'close' as const,
      plan: noopPlan(contact, reason, apiCalls),
      pending,
    });
    if (deletes.kind === 'ignore') {
      return close(`deleted in TrainU; ${describeOutboundDeletes(deletes)} leaves GHL's contact as it is`);
    }
    if (!ghlContactId) return close('deleted in TrainU before it was linked to a GHL contact');
    if (deletes.kind === 'delete') {
      if (deleted.alreadyDeleted) return close('deleted in GHL already');
      const plan = { ...noopPlan(contact, ''), action: 'DELETE' as const, apiCalls: 1, reason: null };
      return { kind: 'delete', plan, pending, ghlContactId };
    }
    const current = await this.ghl.getContact(ghlContactId);
    if (!current) return close('the GHL contact is gone', 1);
    const ghlTags = ghlValuesOf(current, this.config).tags;
    if (ghlTags.includes(deletes.tag)) return close(`the GHL contact has the tag ${deletes.tag} already`, 1);
    const [step] = tagStepsOf(ghlTags, [deletes.tag], []);
    const plan: OutboundPlan = {
      ...noopPlan(contact, ''),
      action: 'UPDATE',
      changes: [
        {
          field: 'tags',
          from: tagsValue(ghlTags),
          to: tagsValue(step!.tagsAfter),
          rule: describeOutboundDeletes(deletes),
        },
      ],
      tagsToAdd: [deletes.tag],
      apiCalls: 2,
      reason: null,
    };
    return { kind: 'tag delete', plan, pending, ghlContactId, step: step! };
  }

  /** The contact, its pending outbox rows and its agreed state, in one transaction. */
  private async load(contactId: string, persist: boolean, client: SqlClient): Promise<Loaded> {
    const pending = await this.outbox.pendingChanges(contactId, client);
    if (pending.rowIds.length === 0) return { kind: 'nothing pending' };
    const contact = await this.contacts.load(contactId, client);
    if (!contact || contact.deletedAt) {
      const ghlContactId = contact?.ghlContactId ?? pending.hardDeletedGhlContactId;
      const alreadyDeleted = await this.log.hasDeleted(contactId, client);
      return { kind: 'deleted', contactId, ghlContactId, alreadyDeleted, pending };
    }
    const writes = await this.log.writesInLastHour(contact.id, client);
    if (writes >= this.config.outbound.loopLimit) {
      const reason = `contact ${contact.id} was written to GHL ${writes} times in the last hour (OUTBOUND_LOOP_LIMIT=${this.config.outbound.loopLimit}): stopped as a possible sync loop`;
      return blocked(contact, pending, reason, 'OutboundLoopSuspected');
    }
    const agreed = contact.ghlContactId ? await this.syncState.load(contact.id, client) : null;
    return { kind: 'live', input: { contact: await this.normalized(contact, persist, client), pending, agreed } };
  }

  /** The contact with its email and phone as inbound would store them, written back (origin-marked) if `persist`. */
  private async normalized(contact: OutboundContact, persist: boolean, client: SqlClient): Promise<OutboundContact> {
    const email = normalizeEmail(contact.email);
    const phone = contact.phone ? normalizePhone(contact.phone, this.config.sync.defaultPhoneRegion) : undefined;
    const normalized = {
      email,
      phone: phone ? (phone.phone ?? null) : contact.phone,
      phoneInvalidRaw: phone ? (phone.phoneInvalidRaw ?? null) : contact.phoneInvalidRaw,
    };
    if (normalized.email === contact.email && normalized.phone === contact.phone) return contact;
    if (persist) {
      await markSyncOrigin(client, 'outbound');
      await this.contacts.normalize(contact.id, normalized, client);
    }
    return { ...contact, ...normalized };
  }
}

function blocked(
  contact: { id: string; ghlContactId: string | null },
  pending: PendingChanges,
  reason: string,
  errorClass: 'UpstreamRejected' | 'OutboundLoopSuspected',
  apiCalls = 0,
): Extract<PlannedPush, { kind: 'blocked' }> {
  const plan = { ...noopPlan(contact, reason, apiCalls), action: 'BLOCKED' as const };
  return { kind: 'blocked', plan, pending, error: new PermanentSyncError(reason, errorClass) };
}

function trainuValuesOf(contact: OutboundContact): SyncedValues {
  const scalars = contact.emailConflict ? { ...contact, email: undefined } : contact;
  return syncedValuesOf(scalars, contact.tags, contact.customFields);
}

/** GHL's record normalised as the inbound path normalises a webhook. */
export function ghlValuesOf(record: GhlContactRecord, config: AppConfig): SyncedValues {
  const change = mapGhlContact(
    { ...record, timestamp: record.dateUpdated } as unknown as GhlContactWebhookDto,
    config.sync.defaultPhoneRegion,
  );
  return syncedValuesOf(change.fields, change.tags ?? [], change.customFields ?? []);
}

/** A new GHL contact gets TrainU's values but those of `ghl_only` fields. */
function pushableValues(values: SyncedValues, rules: FieldRules): SyncedValues {
  return {
    fields: Object.fromEntries(Object.entries(values.fields).filter(([field]) => rules.pushes(field))),
    tags: values.tags.filter((tag) => rules.pushesTag(tag)),
  };
}
