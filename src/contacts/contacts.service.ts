import { Injectable, Logger } from '@nestjs/common';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import type { HandlerOutcome } from '../inbox/inbound-event.js';
import { ContactChangePlan } from './contact-change-plan.js';
import type { GhlContactChange, GhlContactDeletion } from './contact.mapper.js';
import { ContactsRepository, type ContactRow } from './contacts.repository.js';

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
  ) {}

  async applyGhlChange(change: GhlContactChange): Promise<HandlerOutcome> {
    const [outcome] = await this.applyGhlChanges([change]);
    return outcome!;
  }

  async applyGhlDeletion(deletion: GhlContactDeletion): Promise<HandlerOutcome> {
    const [outcome] = await this.applyGhlDeletions([deletion]);
    return outcome!;
  }

  /**
   * A batch of changes (a webhook's one, or a backfill page) in one plain node-postgres transaction (ADR 0012) that holds advisory
   * locks on every GHL id and email in it: the matching, the last-write-wins checks and the writes
   * see the same state, and a page costs a few statements instead of several per contact.
   */
  async applyGhlChanges(changes: readonly GhlContactChange[]): Promise<HandlerOutcome[]> {
    return this.inPlan(changes, (plan, change) => plan.change(change));
  }

  /** Tombstones; an unknown contact gets a tombstone row so a late create cannot bring it in. */
  async applyGhlDeletions(deletions: readonly GhlContactDeletion[]): Promise<HandlerOutcome[]> {
    return this.inPlan(deletions, (plan, deletion) => plan.deletion(deletion));
  }

  private async inPlan<Change extends GhlContactChange | GhlContactDeletion>(
    changes: readonly Change[],
    decide: (plan: ContactChangePlan, change: Change) => HandlerOutcome,
  ): Promise<HandlerOutcome[]> {
    if (changes.length === 0) return [];
    const keys = ContactChangePlan.naturalKeysOf(changes);
    return this.prisma.inPlainTransaction(async (client) => {
      await this.contacts.lockNaturalKeys(
        [...keys.ghlIds.map((id) => `ghl:${id}`), ...keys.emails.map((email) => `email:${email}`)],
        client,
      );
      const plan = new ContactChangePlan(await this.contacts.findHolders(keys, client));
      const outcomes = changes.map((change) => {
        const outcome = decide(plan, change);
        if (outcome === 'STALE') {
          this.logger.log(
            { ghlContactId: change.ghlContactId },
            'contact change is stale (deleted or newer applied); nothing changed',
          );
        }
        return outcome;
      });
      for (const conflict of plan.conflicts) {
        this.logger.warn(conflict, 'email conflict: another contact already has this email; kept apart, not merged');
      }
      await this.contacts.writePlan(plan.writes(), client);
      return outcomes;
    });
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
    await this.contacts.lockNaturalKeys([`ghl:${ghlContactId}`], transaction);
    const existing = await this.contacts.findByGhlId(ghlContactId, transaction);
    return existing ?? this.contacts.create({ ghlContactId, ghlLocationId }, transaction);
  }
}
