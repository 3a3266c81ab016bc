import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { PrismaService, type PrismaTransaction, type SqlClient } from '../database/prisma.service.js';
import type { HandlerOutcome } from '../inbox/inbound-event.js';
import { SyncCounters } from '../observability/metrics/sync-counters.js';
import { ContactChangePlan } from './contact-change-plan.js';
import { ContactSyncStateRepository, type AgreedPatch } from './contact-sync-state.repository.js';
import type { GhlContactChange, GhlContactDeletion } from './contact.mapper.js';
import { ContactsRepository, type ContactRow } from './contacts.repository.js';
import { withoutEchoes, type FilteredChange } from './echo-filter.js';
import { OutboundEchoesRepository } from './outbound-echoes.repository.js';

/** A GHL contact change or a deletion (a tombstone); a batch of inbox events mixes them. */
export type ContactEvent = GhlContactChange | GhlContactDeletion;

/**
 * Applies GHL contact changes to TrainU's contacts: match by GHL id, else email, else phone; last
 * write wins on the upstream time; deletes are tombstones that nothing revives. The decisions are
 * `ContactChangePlan`'s; this service runs them in a transaction and writes the result.
 */
@Injectable()
export class ContactsService {
  private readonly logger = new Logger(ContactsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly contacts: ContactsRepository,
    private readonly echoes: OutboundEchoesRepository,
    private readonly syncState: ContactSyncStateRepository,
    private readonly counters: SyncCounters,
    private readonly config: AppConfig,
  ) {}

  /**
   * Changes and deletions (a webhook's one, a batch of inbox events, a backfill page) in the order
   * given, each deciding on the state the ones before it left, in one plain node-postgres
   * transaction (ADR 0012): `client`'s when given, else its own. It holds advisory locks on every
   * GHL id and email in it, so the matching, the last-write-wins checks and the writes see the same
   * state, and a page costs a few statements instead of several per contact. An unknown contact's
   * deletion leaves a tombstone row, so a late create cannot bring it in.
   */
  async applyGhlEvents(events: readonly ContactEvent[], client?: SqlClient): Promise<HandlerOutcome[]> {
    if (events.length === 0) return [];
    if (!client) return this.prisma.inPlainTransaction((own) => this.applyIn(own, events));
    return this.applyIn(client, events);
  }

  private async applyIn(client: SqlClient, events: readonly ContactEvent[]): Promise<HandlerOutcome[]> {
    const keys = ContactChangePlan.naturalKeysOf(events);
    await this.contacts.beginSyncWrite(
      [...keys.ghlIds.map((id) => `ghl:${id}`), ...keys.emails.map((email) => `email:${email}`)],
      client,
    );
    const holders = await this.contacts.findHolders(keys, client);
    const plan = new ContactChangePlan(holders, new Date(), this.config.sync.fieldRules);
    const filtered = await this.withoutEchoes(events, client);
    const agreed: AgreedPatch[] = [];
    const outcomes = filtered.map((event) => {
      const outcome = 'fields' in event ? plan.change(event) : plan.deletion(event);
      if (outcome === 'STALE') {
        this.logger.log(
          { ghlContactId: event.ghlContactId },
          'contact change is stale (deleted or newer applied); nothing changed',
        );
      } else if ('fields' in event) {
        agreed.push(plan.agreedAfter(event));
      }
      return outcome;
    });
    for (const conflict of plan.conflicts) {
      this.logger.warn(conflict, 'email conflict: another contact already has this email; kept apart, not merged');
    }
    await this.contacts.writePlan(plan.writes(), client);
    await this.syncState.patch(agreed, client);
    return outcomes;
  }

  /**
   * The batch's changes without the echoes of our own outbound writes and without the fields TrainU
   * changed after them (ADR 0022); the echoes they matched are consumed in the same transaction,
   * and a contact whose webhook disagreed with what we wrote gets a reconciling push.
   */
  private async withoutEchoes(events: readonly ContactEvent[], client: SqlClient): Promise<ContactEvent[]> {
    const changes = events.filter((event): event is GhlContactChange => 'fields' in event);
    if (changes.length === 0) return [...events];
    const guards = await this.echoes.guardsFor(
      changes.map((change) => change.ghlContactId),
      client,
    );
    if (guards.size === 0) return [...events];
    const consumed = new Set<string>();
    const reconciled = new Set<string>();
    const filtered = events.map((event) => {
      const guard = guards.get(event.ghlContactId);
      if (!guard || !('fields' in event)) return event;
      const result: FilteredChange = withoutEchoes(
        event,
        guard.openEchoes.map((echo) => (consumed.has(echo.id) ? { ...echo, consumed: true } : echo)),
        guard.trainuChangedAt,
      );
      for (const id of result.consumed) consumed.add(id);
      if (result.kind === 'near_miss') reconciled.add(event.ghlContactId);
      if (result.kind === 'echo') this.counters.echoesSuppressed.inc();
      if (result.kind === 'near_miss') this.counters.echoNearMisses.inc();
      if (result.kind !== 'none') {
        this.logger.log(
          { ghlContactId: event.ghlContactId, kind: result.kind, consumed: result.consumed.length },
          result.kind === 'echo'
            ? 'echo of our own write: nothing to apply'
            : 'near miss: applying the fields GHL changed',
        );
      }
      return result.change;
    });
    await this.echoes.consume([...consumed], client);
    await this.echoes.reconcile([...reconciled], client);
    return filtered;
  }

  /**
   * The contact with this GHL id, inside the caller's transaction; when there is none yet, a
   * placeholder row holding only the ids, which the contact's own webhook or the backfill fills in
   * (matching by GHL id finds it first, so no second row appears). Used by bookings and
   * opportunities, whose GHL events name a contact only by id.
   */
  async findOrCreateByGhlId(
    ghlContactId: string,
    ghlLocationId: string | undefined,
    transaction: PrismaTransaction,
  ): Promise<ContactRow> {
    await this.contacts.beginSyncWrite([`ghl:${ghlContactId}`], transaction);
    const existing = await this.contacts.findByGhlId(ghlContactId, transaction);
    return existing ?? this.contacts.create({ ghlContactId, ghlLocationId }, transaction);
  }
}
