import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ContactSyncStateRepository, type SyncedValues } from '../contacts/contact-sync-state.repository.js';
import { OutboundEchoesRepository } from '../contacts/outbound-echoes.repository.js';
import { CUSTOM_FIELD_PREFIX, tagsValue } from '../contacts/synced-values.js';
import { PrismaService, type SqlClient } from '../database/prisma.service.js';
import { markSyncOrigin } from '../database/sync-origin.js';
import { PermanentSyncError } from '../dlq/sync-errors.js';
import { GhlClient } from '../ghl/ghl-client.js';
import type { GhlContactFields, GhlContactRecord, GhlContactUpdate } from '../ghl/ghl-contact.js';
import { CreateOutcomeUnknownError, DuplicateContactError } from '../ghl/ghl-errors.js';
import { SyncAnalytics } from '../observability/analytics/sync-analytics.service.js';
import { SyncCounters } from '../observability/metrics/sync-counters.js';
import type { ContactMerge } from './contact-merge.js';
import { ContactOutboxRepository, type PendingChanges } from './contact-outbox.repository.js';
import type { OutboundContactJob } from '../queue/queue.constants.js';
import { OUTBOUND_EVENT_TYPE } from './outbound-event-type.js';
import { OutboundContactsRepository, type OutboundContact } from './outbound-contacts.repository.js';
import { OutboundLogRepository, type OutboundWriteEntry } from './outbound-log.repository.js';
import { ContactPlanner, pendingOf, type PlannedMerge, type PlannedPush } from './contact-planner.service.js';
import type { OutboundPlan } from './outbound-plan.js';
import { OutboundPlansRepository } from './outbound-plans.repository.js';

type WriteAction = 'create' | 'link' | 'update' | 'tags_add' | 'tags_remove' | 'delete';

/** What one push found and did, for the transaction that records it. */
interface PushOutcome {
  readonly action: OutboundWriteEntry['action'] | 'noop';
  readonly ghl: GhlContactRecord;
  readonly merge: ContactMerge | null;
  readonly agreed: SyncedValues;
  readonly writtenFields: readonly string[];
}

/**
 * Carries out ContactPlanner's plan for one TrainU contact (ADR 0022, 0024), or in shadow mode
 * records it and writes nothing (ADR 0024). A create whose answer is a duplicate links that contact;
 * one whose outcome is unknown is looked up again before any retry. A merge `PUT`s only what TrainU
 * changed and changes tags through the tag endpoints; what GHL changed alone, or won, comes back to
 * TrainU as an origin-marked write, which the outbox does not capture. Each value is recorded in the
 * echo ledger before it is sent, so GHL's webhook back is known. Every plan carried out is recorded
 * too (`ghl_sync.outbound_plans`, mode push), beside the writes it made.
 */
@Injectable()
export class ContactPushService {
  private readonly logger = new Logger(ContactPushService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
    private readonly ghl: GhlClient,
    private readonly planner: ContactPlanner,
    private readonly contacts: OutboundContactsRepository,
    private readonly outbox: ContactOutboxRepository,
    private readonly syncState: ContactSyncStateRepository,
    private readonly echoes: OutboundEchoesRepository,
    private readonly log: OutboundLogRepository,
    private readonly plans: OutboundPlansRepository,
    private readonly counters: SyncCounters,
    private readonly analytics: SyncAnalytics,
  ) {}

  private get locationId(): string {
    return this.config.ghl.locationId!;
  }

  /** Three transactions at most: read (and normalise), expected echoes, record; GHL's calls between. */
  async push(job: OutboundContactJob): Promise<void> {
    const shadow = !this.config.pushesToGhl;
    const planned = await this.planner.plan(job.contactId, { persist: !shadow });
    if (planned.kind === 'nothing pending') return;
    if (shadow) {
      await this.prisma.inPlainTransaction((client) => this.recordShadowPlan(planned, job, client));
    } else {
      if (planned.kind === 'blocked') throw planned.error;
      await this.carryOut(planned, job);
    }
    this.analytics.ok(
      {
        eventType: OUTBOUND_EVENT_TYPE,
        locationId: this.locationId,
        correlationId: job.correlationId,
        direction: 'outbound',
      },
      shadow || planned.plan.action === 'NOOP' ? 'ignored' : 'applied',
    );
    this.logger.log(
      { contactId: job.contactId, action: planned.plan.action, apiCalls: planned.plan.apiCalls, shadow },
      shadow ? 'outbound plan recorded (OUTBOUND_MODE=shadow, nothing sent)' : 'contact pushed to GHL',
    );
  }

  private async carryOut(
    planned: Exclude<PlannedPush, { kind: 'nothing pending' | 'blocked' }>,
    job: OutboundContactJob,
  ) {
    switch (planned.kind) {
      case 'close':
        return this.prisma.inPlainTransaction((client) =>
          this.recordClosed(planned.plan, planned.pending, null, job, client),
        );
      case 'delete':
        await this.written('delete', () => this.ghl.deleteContact(planned.ghlContactId));
        return this.prisma.inPlainTransaction((client) =>
          this.recordClosed(planned.plan, planned.pending, { action: 'delete', fields: [] }, job, client),
        );
      case 'tag delete': {
        const { ghlContactId, step } = planned;
        await this.expectEchoes(ghlContactId, [{ field: 'tags', value: tagsValue(step.tagsAfter) }]);
        await this.written('tags_add', () => this.ghl.addTags(ghlContactId, [...step.tags]));
        return this.prisma.inPlainTransaction((client) =>
          this.recordClosed(planned.plan, planned.pending, { action: 'tags_add', fields: ['tags'] }, job, client),
        );
      }
      case 'create':
      case 'merge': {
        const outcome = planned.kind === 'create' ? await this.create(planned) : await this.merge(planned.merged);
        const { contact, pending } = planned.input;
        return this.prisma.inPlainTransaction((client) =>
          this.record(contact, pending, planned.plan, outcome, job, client),
        );
      }
    }
  }

  private async create({ input, values }: Extract<PlannedPush, { kind: 'create' }>): Promise<PushOutcome> {
    const { contact } = input;
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
      const linked = await this.planner.planMerge(input, duplicate.id, duplicate);
      if (linked.kind !== 'merge') throw error;
      return this.merge(linked.merged);
    }
  }

  /** Writes what the merge pushes: the `PUT` of TrainU's changed fields, then the tag calls. */
  private async merge({ current, linking, merge, ghlTags, tagSteps }: PlannedMerge): Promise<PushOutcome> {
    const fields = Object.keys(merge.push);
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
    plan: OutboundPlan,
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
    await this.plans.record({ ...plan, ghlContactId: outcome.ghl.id }, 'push', job.correlationId, client);
    await this.outbox.markPushed(pending.rowIds, client);
  }

  /** A plan that ends the contact's rows without a merge (a delete, or nothing to do), and its write if it made one. */
  private async recordClosed(
    plan: OutboundPlan,
    pending: PendingChanges,
    write: Pick<OutboundWriteEntry, 'action' | 'fields'> | null,
    job: OutboundContactJob,
    client: SqlClient,
  ): Promise<void> {
    if (write && plan.ghlContactId) {
      await this.log.recordWrite(
        { contactId: plan.contactId, ghlContactId: plan.ghlContactId, ...write, correlationId: job.correlationId },
        client,
      );
    }
    await this.plans.record(plan, 'push', job.correlationId, client);
    await this.outbox.markPushed(pending.rowIds, client);
  }

  /** Shadow mode: the plan is recorded and the rows marked planned; a push-mode relay sends them again. */
  private async recordShadowPlan(
    planned: Exclude<PlannedPush, { kind: 'nothing pending' }>,
    job: OutboundContactJob,
    client: SqlClient,
  ): Promise<void> {
    // Only the rows the plan read: a change that arrived since waits for its own job's plan.
    await this.plans.record(planned.plan, 'shadow', job.correlationId, client);
    await this.outbox.markPlanned(pendingOf(planned).rowIds, client);
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
