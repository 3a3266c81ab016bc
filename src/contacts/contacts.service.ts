import { Injectable, Logger } from '@nestjs/common';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import type { HandlerOutcome } from '../inbox/inbound-event.js';
import type { ContactFields, GhlContactChange, GhlContactDeletion } from './contact.mapper.js';
import { ContactsRepository, type ContactRow, type ContactWrite } from './contacts.repository.js';

/** Email columns to write for a change, after checking who already holds the address. */
type EmailColumns = Pick<ContactWrite, 'email' | 'emailConflict' | 'emailConflictContactId'>;

/**
 * Applies GHL contact changes to TrainU's contacts: match by GHL id, else email, else phone; last
 * write wins on the upstream time; deletes are tombstones that nothing revives.
 */
@Injectable()
export class ContactsService {
  private readonly logger = new Logger(ContactsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly contacts: ContactsRepository,
  ) {}

  /**
   * One transaction per change, holding advisory locks on the contact's GHL id and email: the
   * match, the last-write-wins check and the write see the same state.
   */
  async applyGhlChange(change: GhlContactChange): Promise<HandlerOutcome> {
    return this.prisma.$transaction(async (transaction) => {
      const email = change.fields.email;
      await this.contacts.lockNaturalKeys(
        [`ghl:${change.ghlContactId}`, ...(email ? [`email:${email}`] : [])],
        transaction,
      );

      const linked = await this.contacts.findByGhlId(change.ghlContactId, transaction);
      if (linked?.deletedAt) return this.stale(change.ghlContactId, 'contact was deleted in GHL');
      if (linked?.ghlUpdatedAt && linked.ghlUpdatedAt > change.upstreamUpdatedAt) {
        return this.stale(change.ghlContactId, 'a newer change is already applied');
      }
      const target = linked ?? (await this.findUnlinkedMatch(change.fields, transaction));
      const data: ContactWrite = {
        ...change.fields,
        ...(await this.emailColumns(change, target, transaction)),
        ghlContactId: change.ghlContactId,
        ghlLocationId: change.ghlLocationId,
        ghlUpdatedAt: change.upstreamUpdatedAt,
      };
      const contact = target
        ? await this.contacts.update(target.id, data, transaction)
        : await this.contacts.create(data, transaction);
      if (change.tags) await this.contacts.replaceTags(contact.id, change.tags, transaction);
      if (change.customFields) await this.contacts.replaceCustomFields(contact.id, change.customFields, transaction);
      return 'APPLIED';
    });
  }

  /** Tombstones the contact; an unknown one gets a tombstone row so a late create cannot bring it in. */
  async applyGhlDeletion(deletion: GhlContactDeletion): Promise<HandlerOutcome> {
    return this.prisma.$transaction(async (transaction) => {
      await this.contacts.lockNaturalKeys([`ghl:${deletion.ghlContactId}`], transaction);
      const existing = await this.contacts.findByGhlId(deletion.ghlContactId, transaction);
      if (existing?.deletedAt) return this.stale(deletion.ghlContactId, 'contact is already deleted');
      const tombstone = {
        deletedAt: deletion.deletedAt,
        ghlUpdatedAt:
          existing?.ghlUpdatedAt && existing.ghlUpdatedAt > deletion.deletedAt
            ? existing.ghlUpdatedAt
            : deletion.deletedAt,
      };
      if (existing) await this.contacts.update(existing.id, tombstone, transaction);
      else {
        const ids = { ghlContactId: deletion.ghlContactId, ghlLocationId: deletion.ghlLocationId };
        await this.contacts.create({ ...ids, ...tombstone }, transaction);
      }
      return 'APPLIED';
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

  /** A TrainU contact not yet linked to GHL that is the same person: same email, else same phone. */
  private async findUnlinkedMatch(fields: ContactFields, transaction: PrismaTransaction): Promise<ContactRow | null> {
    if (fields.email) {
      const holder = await this.contacts.findByEmail(fields.email, transaction);
      if (holder && holder.ghlContactId === null && holder.deletedAt === null) return holder;
    }
    return fields.phone ? this.contacts.findUnlinkedByPhone(fields.phone, transaction) : null;
  }

  /**
   * Emails are unique. An address held by a deleted contact moves to the live one; an address held
   * by another live contact is not merged: this contact keeps it in `email_conflict`, and the
   * conflict is logged for an operator (see the README's runbook).
   */
  private async emailColumns(
    change: GhlContactChange,
    target: ContactRow | null,
    transaction: PrismaTransaction,
  ): Promise<EmailColumns> {
    const email = change.fields.email;
    if (email === undefined) return {};
    const free: EmailColumns = { email, emailConflict: null, emailConflictContactId: null };
    if (email === null) return free;
    const holder = await this.contacts.findByEmail(email, transaction);
    if (!holder || holder.id === target?.id) return free;
    if (holder.deletedAt) {
      await this.contacts.releaseEmail(holder.id, transaction);
      return free;
    }
    this.logger.warn(
      { ghlContactId: change.ghlContactId, heldByContactId: holder.id, heldByGhlContactId: holder.ghlContactId },
      'email conflict: another contact already has this email; kept apart, not merged',
    );
    return { email: null, emailConflict: email, emailConflictContactId: holder.id };
  }

  private stale(ghlContactId: string, reason: string): HandlerOutcome {
    this.logger.log({ ghlContactId, reason }, 'contact change is stale; nothing changed');
    return 'STALE';
  }
}
