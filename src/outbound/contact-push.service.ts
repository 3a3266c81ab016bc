import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ContactSyncStateRepository, type SyncedValues } from '../contacts/contact-sync-state.repository.js';
import { mapGhlContact, normalizeEmail, normalizePhone } from '../contacts/contact.mapper.js';
import type { GhlContactWebhookDto } from '../contacts/dto/contact-webhook.dto.js';
import type { FieldRules } from '../contacts/field-rules.js';
import { OutboundEchoesRepository } from '../contacts/outbound-echoes.repository.js';
import { CUSTOM_FIELD_PREFIX, syncedValuesOf, tagsValue } from '../contacts/synced-values.js';
import { PrismaService, type SqlClient } from '../database/prisma.service.js';
import { markSyncOrigin } from '../database/sync-origin.js';
import { PermanentSyncError } from '../dlq/sync-errors.js';
import { GhlClient } from '../ghl/ghl-client.js';
import type { GhlContactFields, GhlContactRecord, GhlContactUpdate } from '../ghl/ghl-contact.js';
import { CreateOutcomeUnknownError, DuplicateContactError } from '../ghl/ghl-errors.js';
import { SyncAnalytics } from '../observability/analytics/sync-analytics.service.js';
import { SyncCounters } from '../observability/metrics/sync-counters.js';
import { mergeContact, type ContactMerge } from './contact-merge.js';
import { ContactOutboxRepository, type PendingChanges } from './contact-outbox.repository.js';
import type { OutboundContactJob } from '../queue/queue.constants.js';
import { OUTBOUND_EVENT_TYPE } from './outbound-event-type.js';
import { OutboundContactsRepository, type OutboundContact } from './outbound-contacts.repository.js';
import { OutboundLogRepository, type OutboundWriteEntry } from './outbound-log.repository.js';

type WriteAction = 'create' | 'link' | 'update' | 'tags_add' | 'tags_remove';

/** What a push reads in its first transaction. */
interface PushInput {
  readonly contact: OutboundContact;
  readonly pending: PendingChanges;
  /** The last state both sides agreed on; null when they never were in step. */
  readonly agreed: SyncedValues | null;
}

/** What one push found and did, for the transaction that records it. */
interface PushOutcome {
  readonly action: OutboundWriteEntry['action'] | 'noop';
  readonly ghl: GhlContactRecord;
  readonly merge: ContactMerge | null;
  readonly agreed: SyncedValues;
  readonly writtenFields: readonly string[];
}

/**
 * Pushes one TrainU contact's current state to GHL (ADR 0022): create or link it when it has no GHL
 * id (looked up by email, then phone; a duplicate error links; a create whose outcome is unknown is
 * looked up again before any retry), else merge three ways against the agreed state and write only
 * what TrainU changed: a `PUT` of those fields, tags through the tag endpoints. What GHL changed
 * alone, or won, comes back to TrainU as an origin-marked write, which the outbox does not capture.
 * Each value is recorded in the echo ledger before it is sent, so GHL's webhook back is known.
 */
@Injectable()
export class ContactPushService {
  private readonly logger = new Logger(ContactPushService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
    private readonly ghl: GhlClient,
    private readonly contacts: OutboundContactsRepository,
    private readonly outbox: ContactOutboxRepository,
    private readonly syncState: ContactSyncStateRepository,
    private readonly echoes: OutboundEchoesRepository,
    private readonly log: OutboundLogRepository,
    private readonly counters: SyncCounters,
    private readonly analytics: SyncAnalytics,
  ) {}

  private get locationId(): string {
    return this.config.ghl.locationId!;
  }

  /** Three transactions at most: read (and normalise), expected echoes, record; GHL's calls between. */
  async push(job: OutboundContactJob): Promise<void> {
    const loaded = await this.prisma.inPlainTransaction((client) => this.load(job.contactId, client));
    if (typeof loaded === 'string') return;
    const { contact, pending } = loaded;
    const outcome = contact.ghlContactId
      ? await this.update(loaded, contact.ghlContactId)
      : await this.createOrLink(loaded);
    await this.prisma.inPlainTransaction((client) => this.record(contact, pending, outcome, job, client));
    this.analytics.ok(
      {
        eventType: OUTBOUND_EVENT_TYPE,
        locationId: this.locationId,
        correlationId: job.correlationId,
        direction: 'outbound',
      },
      outcome.action === 'noop' ? 'ignored' : 'applied',
    );
    this.logger.log(
      { contactId: contact.id, action: outcome.action, fields: outcome.writtenFields },
      'contact pushed to GHL',
    );
  }

  /**
   * The contact, its pending outbox rows and its agreed state, in one transaction; TrainU's email and
   * phone normalised first, as inbound stores them. A deleted contact's rows are marked done there:
   * deletes are not pushed (OUTBOUND_DELETES=ignore, the default). Throws for a runaway contact.
   */
  private async load(contactId: string, client: SqlClient): Promise<PushInput | 'nothing pending' | 'deleted'> {
    const pending = await this.outbox.pendingChanges(contactId, client);
    if (pending.rowIds.length === 0) return 'nothing pending';
    const contact = await this.contacts.load(contactId, client);
    if (!contact || contact.deletedAt) {
      await this.outbox.markPushed(pending.rowIds, client);
      return 'deleted';
    }
    await this.stopRunawayContact(contact, client);
    const agreed = contact.ghlContactId ? await this.syncState.load(contact.id, client) : null;
    return { contact: await this.normalized(contact, client), pending, agreed };
  }

  /** The contact with its email and phone as inbound would store them, written back origin-marked if they differ. */
  private async normalized(contact: OutboundContact, client: SqlClient): Promise<OutboundContact> {
    const email = normalizeEmail(contact.email);
    const phone = contact.phone ? normalizePhone(contact.phone, this.config.sync.defaultPhoneRegion) : undefined;
    const normalized = {
      email,
      phone: phone ? (phone.phone ?? null) : contact.phone,
      phoneInvalidRaw: phone ? (phone.phoneInvalidRaw ?? null) : contact.phoneInvalidRaw,
    };
    if (normalized.email === contact.email && normalized.phone === contact.phone) return contact;
    await markSyncOrigin(client, 'outbound');
    await this.contacts.normalize(contact.id, normalized, client);
    return { ...contact, ...normalized };
  }

  /** OUTBOUND_LOOP_LIMIT pushes an hour: a contact past it is rewritten in a loop, not edited. */
  private async stopRunawayContact(contact: OutboundContact, client: SqlClient): Promise<void> {
    const writes = await this.log.writesInLastHour(contact.id, client);
    if (writes >= this.config.outbound.loopLimit) {
      throw new PermanentSyncError(
        `contact ${contact.id} was written to GHL ${writes} times in the last hour (OUTBOUND_LOOP_LIMIT=${this.config.outbound.loopLimit}): stopped as a possible sync loop`,
        'OutboundLoopSuspected',
      );
    }
  }

  private async createOrLink(input: PushInput): Promise<PushOutcome> {
    const { contact } = input;
    const existing = await this.lookUp(contact);
    if (existing) return this.update(input, existing.id, { linking: existing });
    const values = pushableValues(this.trainuValues(contact), this.config.sync.fieldRules);
    try {
      const created = await this.written('create', () => this.ghl.createContact(createBody(values)));
      return { action: 'create', ghl: created, merge: null, agreed: values, writtenFields: Object.keys(values.fields) };
    } catch (error) {
      if (error instanceof CreateOutcomeUnknownError && !contact.email && !contact.phone) {
        // Nothing to look it up by before a retry: a second create could make a second contact.
        throw new PermanentSyncError(
          `${error.message}; the contact has no email or phone to look it up by`,
          'CreateOutcomeUnknown',
        );
      }
      if (!(error instanceof DuplicateContactError)) throw error;
      const duplicate = await this.ghl.getContact(error.existingContactId);
      if (!duplicate) throw error;
      return this.update(input, duplicate.id, { linking: duplicate });
    }
  }

  /** The unlinked GHL contact that is this person: same email, else same phone. */
  private async lookUp(contact: OutboundContact): Promise<GhlContactRecord | null> {
    const byEmail = contact.email ? await this.ghl.findDuplicate({ email: contact.email }) : null;
    if (byEmail) return byEmail;
    return contact.phone ? this.ghl.findDuplicate({ phone: contact.phone }) : null;
  }

  /**
   * Merges three ways against what GHL holds now and writes what TrainU changed. `linking` is the
   * GHL contact just found for an unlinked one: nothing was ever agreed with it.
   */
  private async update(
    { contact, pending, agreed }: PushInput,
    ghlContactId: string,
    { linking }: { linking?: GhlContactRecord } = {},
  ): Promise<PushOutcome> {
    const current = linking ?? (await this.ghl.getContact(ghlContactId));
    if (!current) {
      throw new PermanentSyncError(
        `GHL contact ${ghlContactId} no longer exists (deleted in GHL?); TrainU contact ${contact.id} not pushed`,
        'UpstreamRejected',
      );
    }
    const merge = mergeContact({
      trainu: this.trainuValues(contact),
      ghl: this.ghlValues(current),
      agreed: linking ? null : agreed,
      trainuChangedAt: (field) => pending.changedAt.get(field) ?? contact.updatedAt,
      ghlChangedAt: current.dateUpdated ? new Date(current.dateUpdated) : null,
      rules: this.config.sync.fieldRules,
    });
    const fields = Object.keys(merge.push);
    const ghlTags = this.ghlValues(current).tags;
    const tagSteps = tagStepsOf(ghlTags, merge);
    // Every webhook these writes cause is expected before the first goes: GHL's may beat its answer.
    // The PUT's shows the tags as they are before the tag calls.
    const tagsBefore = { field: 'tags', value: tagsValue(ghlTags) };
    await this.expectEchoes(current.id, [
      ...fields.map((field) => ({ field, value: merge.push[field]! })),
      ...(fields.length > 0 && tagSteps.length > 0 ? [tagsBefore] : []),
      ...tagSteps.map((step) => ({ field: 'tags', value: tagsValue(step.tagsAfter) })),
    ]);
    let ghl = current;
    if (fields.length > 0) {
      ghl = await this.written('update', () => this.ghl.updateContact(current.id, updateBody(merge.push)));
    }
    for (const step of tagSteps) {
      await this.written(step.action, () =>
        step.action === 'tags_add'
          ? this.ghl.addTags(current.id, [...step.tags])
          : this.ghl.removeTags(current.id, [...step.tags]),
      );
    }
    const written = [...fields, ...(tagSteps.length > 0 ? ['tags'] : [])];
    const action = linking ? 'link' : written.length > 0 ? 'update' : 'noop';
    if (linking) this.counters.outboundWrites.inc({ action: 'link', result: 'ok' });
    return { action, ghl, merge, agreed: merge.agreed, writtenFields: written };
  }

  /**
   * In one origin-marked transaction: the GHL id, what came back from GHL, the agreed state, the
   * conflicts, the write, and the outbox rows this push covered. A field TrainU changed again
   * meanwhile (a newer outbox row) keeps TrainU's value: the next push sends it.
   */
  private async record(
    contact: OutboundContact,
    pending: PendingChanges,
    outcome: PushOutcome,
    job: OutboundContactJob,
    client: SqlClient,
  ): Promise<void> {
    await markSyncOrigin(client, 'outbound');
    const newer = await this.outbox.pendingChanges(contact.id, client);
    const changedSince = new Set(
      [...newer.changedAt]
        .filter(([field, at]) => at.getTime() > (pending.changedAt.get(field)?.getTime() ?? -Infinity))
        .map(([field]) => field),
    );
    const pull = Object.entries(outcome.merge?.pull ?? {}).filter(([field]) => !changedSince.has(field));
    const pullsTags = outcome.merge && !changedSince.has('tags');
    await this.contacts.applyPulled(
      contact.id,
      {
        ghlContactId: outcome.ghl.id,
        ghlLocationId: this.locationId,
        ghlUpdatedAt: outcome.ghl.dateUpdated ? new Date(outcome.ghl.dateUpdated) : null,
        fields: Object.fromEntries(pull),
        tagsToAdd: pullsTags ? outcome.merge.tagsToPull.add : [],
        tagsToRemove: pullsTags ? outcome.merge.tagsToPull.remove : [],
      },
      client,
    );
    const ghlDateUpdated = outcome.ghl.dateUpdated ? new Date(outcome.ghl.dateUpdated) : null;
    await this.syncState.replace(contact.id, outcome.agreed, ghlDateUpdated, client);
    if (outcome.merge) {
      await this.log.recordConflicts(contact.id, outcome.merge.conflicts, job.correlationId, client);
      for (const conflict of outcome.merge.conflicts) this.counters.conflicts.inc({ winner: conflict.winner });
    }
    if (outcome.action !== 'noop') {
      const entry = { contactId: contact.id, ghlContactId: outcome.ghl.id, action: outcome.action };
      await this.log.recordWrite({ ...entry, fields: outcome.writtenFields, correlationId: job.correlationId }, client);
    }
    if (outcome.action === 'create') {
      await this.echoes.record(outcome.ghl.id, echoesOf(outcome.agreed), client);
    }
    await this.outbox.markPushed(pending.rowIds, client);
  }

  private async expectEchoes(ghlContactId: string, values: { field: string; value: string | null }[]) {
    if (values.length === 0) return;
    await this.prisma.inPlainTransaction((client) => this.echoes.record(ghlContactId, values, client));
  }

  /** Runs a write to GHL and counts it by action and result. */
  private async written<T>(action: WriteAction, write: () => Promise<T>): Promise<T> {
    try {
      const result = await write();
      this.counters.outboundWrites.inc({ action, result: 'ok' });
      return result;
    } catch (error) {
      this.counters.outboundWrites.inc({ action, result: 'failed' });
      throw error;
    }
  }

  private trainuValues(contact: OutboundContact): SyncedValues {
    const scalars = contact.emailConflict ? { ...contact, email: undefined } : contact;
    return syncedValuesOf(scalars, contact.tags, contact.customFields);
  }

  /** GHL's record normalised as the inbound path normalises a webhook. */
  private ghlValues(record: GhlContactRecord): SyncedValues {
    const change = mapGhlContact(
      { ...record, timestamp: record.dateUpdated } as unknown as GhlContactWebhookDto,
      this.config.sync.defaultPhoneRegion,
    );
    return syncedValuesOf(change.fields, change.tags ?? [], change.customFields ?? []);
  }
}

/** The tag calls a merge needs, each with the tags GHL holds after it: add first, then remove. */
function tagStepsOf(
  ghlTags: readonly string[],
  merge: ContactMerge,
): { action: 'tags_add' | 'tags_remove'; tags: readonly string[]; tagsAfter: readonly string[] }[] {
  const steps = [];
  let tags = ghlTags;
  if (merge.tagsToAdd.length > 0) {
    tags = [...new Set([...tags, ...merge.tagsToAdd])].sort();
    steps.push({ action: 'tags_add' as const, tags: merge.tagsToAdd, tagsAfter: tags });
  }
  if (merge.tagsToRemove.length > 0) {
    tags = tags.filter((tag) => !merge.tagsToRemove.includes(tag));
    steps.push({ action: 'tags_remove' as const, tags: merge.tagsToRemove, tagsAfter: tags });
  }
  return steps;
}

/** A new GHL contact gets TrainU's values but those of `ghl_only` fields. */
function pushableValues(values: SyncedValues, rules: FieldRules): SyncedValues {
  return {
    fields: Object.fromEntries(Object.entries(values.fields).filter(([field]) => rules.pushes(field))),
    tags: rules.pushes('tags') ? values.tags : [],
  };
}

function echoesOf(values: SyncedValues): { field: string; value: string | null }[] {
  return [
    ...Object.entries(values.fields).map(([field, value]) => ({ field, value })),
    { field: 'tags', value: tagsValue(values.tags) },
  ];
}

function customFieldsOf(fields: Readonly<Record<string, string | null>>) {
  return Object.entries(fields)
    .filter(([field]) => field.startsWith(CUSTOM_FIELD_PREFIX))
    .map(([field, value]) => ({ id: field.slice(CUSTOM_FIELD_PREFIX.length), value }));
}

function scalarsOf(fields: Readonly<Record<string, string | null>>) {
  return Object.fromEntries(Object.entries(fields).filter(([field]) => !field.startsWith(CUSTOM_FIELD_PREFIX)));
}

function createBody(values: SyncedValues): GhlContactFields {
  const customFields = customFieldsOf(values.fields);
  return {
    ...scalarsOf(values.fields),
    ...(values.tags.length > 0 ? { tags: [...values.tags] } : {}),
    ...(customFields.length > 0 ? { customFields } : {}),
  };
}

function updateBody(fields: Readonly<Record<string, string | null>>): GhlContactUpdate {
  const customFields = customFieldsOf(fields);
  return { ...scalarsOf(fields), ...(customFields.length > 0 ? { customFields } : {}) };
}
