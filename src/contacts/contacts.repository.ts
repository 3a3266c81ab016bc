import { Injectable } from '@nestjs/common';
import { lockKeys } from '../database/advisory-locks.js';
import { keysetAfter, type KeysetPosition } from '../database/keyset.js';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import type { Contact, Prisma } from '../generated/prisma/client.js';
import type { ContactState, PlannedWrites } from './contact-change-plan.js';
import type { CustomFieldValue } from './contact.mapper.js';

export type ContactRow = Contact;

/** What the read API may filter contacts by, already normalized. */
export interface ContactQuery {
  readonly email?: string;
  readonly phone?: string;
  readonly tag?: string;
  readonly updatedSince?: Date;
  readonly includeDeleted?: boolean;
}

export type ContactWrite = Prisma.ContactUncheckedCreateInput;

/** The `contacts`, `contact_tags` and `contact_custom_fields` tables. */
@Injectable()
export class ContactsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Serializes writers of the same natural keys (GHL id, email) until the transaction ends, so two
   * deliveries for one person cannot both insert.
   */
  async lockNaturalKeys(keys: readonly string[], transaction: PrismaTransaction): Promise<void> {
    await lockKeys(
      transaction,
      keys.map((key) => `contact:${key}`),
    );
  }

  async findByIds(ids: readonly string[]): Promise<ContactRow[]> {
    return this.prisma.contact.findMany({ where: { id: { in: [...ids] } } });
  }

  async findById(id: string, transaction: PrismaTransaction = this.prisma): Promise<ContactRow | null> {
    return transaction.contact.findUnique({ where: { id } });
  }

  async findByGhlId(ghlContactId: string, transaction: PrismaTransaction = this.prisma): Promise<ContactRow | null> {
    return transaction.contact.findUnique({ where: { ghlContactId } });
  }

  async findByEmail(email: string, transaction: PrismaTransaction = this.prisma): Promise<ContactRow | null> {
    return transaction.contact.findUnique({ where: { email } });
  }

  async create(data: ContactWrite, transaction: PrismaTransaction): Promise<ContactRow> {
    return transaction.contact.create({ data });
  }

  /**
   * Every contact a batch of changes may touch: holders of its GHL ids and emails, and live
   * unlinked contacts without an email that have one of its phones (the phone fallback).
   */
  async findHolders(
    keys: { ghlIds: readonly string[]; emails: readonly string[]; phones: readonly string[] },
    transaction: PrismaTransaction,
  ): Promise<ContactRow[]> {
    return transaction.contact.findMany({
      where: {
        OR: [
          { ghlContactId: { in: [...keys.ghlIds] } },
          ...(keys.emails.length > 0 ? [{ email: { in: [...keys.emails] } }] : []),
          ...(keys.phones.length > 0
            ? [{ phone: { in: [...keys.phones] }, ghlContactId: null, email: null, deletedAt: null }]
            : []),
        ],
      },
      orderBy: { createdAt: 'asc' },
    });
  }

  /**
   * Writes a plan in a fixed order, a few statements whatever its size: emails that move are cleared
   * first (the unique index checks every row), then new contacts (others may point at them in
   * `email_conflict_contact_id`), then updates, then the tag and custom field sets.
   */
  async writePlan(writes: PlannedWrites, transaction: PrismaTransaction): Promise<void> {
    if (writes.emailMoves.length > 0) {
      await transaction.contact.updateMany({ where: { id: { in: [...writes.emailMoves] } }, data: { email: null } });
    }
    if (writes.created.length > 0) await transaction.contact.createMany({ data: [...writes.created] });
    if (writes.updated.length > 0) await this.updateAll(writes.updated, transaction);
    await this.replaceSets(writes, transaction);
  }

  /** One UPDATE for all rows, from parallel arrays. */
  private async updateAll(rows: readonly ContactState[], transaction: PrismaTransaction): Promise<void> {
    const column = <K extends keyof ContactState>(key: K) => rows.map((row) => row[key]);
    const times = (key: 'ghlUpdatedAt' | 'deletedAt') => rows.map((row) => row[key]?.toISOString() ?? null);
    await transaction.$executeRaw`
      UPDATE contacts c SET
        ghl_contact_id = v.ghl_contact_id, ghl_location_id = v.ghl_location_id, email = v.email, phone = v.phone,
        phone_invalid_raw = v.phone_invalid_raw, email_conflict = v.email_conflict,
        email_conflict_contact_id = v.email_conflict_contact_id, first_name = v.first_name, last_name = v.last_name,
        ghl_updated_at = v.ghl_updated_at, deleted_at = v.deleted_at, updated_at = now()
      FROM unnest(
        ${column('id')}::uuid[], ${column('ghlContactId')}::text[], ${column('ghlLocationId')}::text[],
        ${column('email')}::text[], ${column('phone')}::text[], ${column('phoneInvalidRaw')}::text[],
        ${column('emailConflict')}::text[], ${column('emailConflictContactId')}::uuid[],
        ${column('firstName')}::text[], ${column('lastName')}::text[],
        ${times('ghlUpdatedAt')}::timestamptz[], ${times('deletedAt')}::timestamptz[]
      ) AS v(id, ghl_contact_id, ghl_location_id, email, phone, phone_invalid_raw, email_conflict,
             email_conflict_contact_id, first_name, last_name, ghl_updated_at, deleted_at)
      WHERE c.id = v.id`;
  }

  /** Tags and custom fields are replaced as whole sets, for the contacts whose change carried them. */
  private async replaceSets(writes: PlannedWrites, transaction: PrismaTransaction): Promise<void> {
    if (writes.tags.size > 0) {
      await transaction.contactTag.deleteMany({ where: { contactId: { in: [...writes.tags.keys()] } } });
      await transaction.contactTag.createMany({
        data: [...writes.tags].flatMap(([contactId, tags]) => tags.map((tag) => ({ contactId, tag }))),
        skipDuplicates: true,
      });
    }
    if (writes.customFields.size > 0) {
      await transaction.contactCustomField.deleteMany({
        where: { contactId: { in: [...writes.customFields.keys()] } },
      });
      await transaction.contactCustomField.createMany({
        data: [...writes.customFields].flatMap(([contactId, values]) =>
          values.map((value) => ({ contactId, ...value })),
        ),
      });
    }
  }

  /** One page in (created_at, id) order, after `after` when given. */
  async findPage(query: ContactQuery, limit: number, after?: KeysetPosition): Promise<ContactRow[]> {
    return this.prisma.contact.findMany({
      where: { AND: [this.whereOf(query), after ? keysetAfter(after) : {}] },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
  }

  async count(query: ContactQuery): Promise<number> {
    return this.prisma.contact.count({ where: this.whereOf(query) });
  }

  async tagsOf(contactIds: readonly string[]): Promise<{ contactId: string; tag: string }[]> {
    return this.prisma.contactTag.findMany({
      where: { contactId: { in: [...contactIds] } },
      orderBy: [{ contactId: 'asc' }, { tag: 'asc' }],
    });
  }

  async customFieldsOf(contactIds: readonly string[]): Promise<(CustomFieldValue & { contactId: string })[]> {
    return this.prisma.contactCustomField.findMany({
      where: { contactId: { in: [...contactIds] } },
      orderBy: [{ contactId: 'asc' }, { fieldId: 'asc' }],
    });
  }

  private whereOf(query: ContactQuery): Prisma.ContactWhereInput {
    return {
      ...(query.email !== undefined && { email: query.email }),
      ...(query.phone !== undefined && { phone: query.phone }),
      ...(query.tag !== undefined && { tags: { some: { tag: query.tag } } }),
      ...(query.updatedSince !== undefined && { updatedAt: { gte: query.updatedSince } }),
      ...(!query.includeDeleted && { deletedAt: null }),
    };
  }
}
