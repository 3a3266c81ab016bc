import { Injectable } from '@nestjs/common';
import { lockKeys } from '../database/advisory-locks.js';
import { keysetAfter, type KeysetPosition } from '../database/keyset.js';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import type { Contact, Prisma } from '../generated/prisma/client.js';
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

  /** A live contact not yet linked to GHL, without an email, that has this phone: the phone fallback. */
  async findUnlinkedByPhone(phone: string, transaction: PrismaTransaction): Promise<ContactRow | null> {
    return transaction.contact.findFirst({
      where: { phone, ghlContactId: null, email: null, deletedAt: null },
      orderBy: { createdAt: 'asc' },
    });
  }

  async create(data: ContactWrite, transaction: PrismaTransaction): Promise<ContactRow> {
    return transaction.contact.create({ data });
  }

  async update(id: string, data: Partial<ContactWrite>, transaction: PrismaTransaction): Promise<ContactRow> {
    return transaction.contact.update({ where: { id }, data });
  }

  /** Frees a deleted contact's email for the live contact GHL now gives it to. */
  async releaseEmail(id: string, transaction: PrismaTransaction): Promise<void> {
    await transaction.contact.update({ where: { id }, data: { email: null } });
  }

  async replaceTags(contactId: string, tags: readonly string[], transaction: PrismaTransaction): Promise<void> {
    await transaction.contactTag.deleteMany({ where: { contactId, tag: { notIn: [...tags] } } });
    await transaction.contactTag.createMany({ data: tags.map((tag) => ({ contactId, tag })), skipDuplicates: true });
  }

  async replaceCustomFields(
    contactId: string,
    values: readonly CustomFieldValue[],
    transaction: PrismaTransaction,
  ): Promise<void> {
    await transaction.contactCustomField.deleteMany({ where: { contactId } });
    await transaction.contactCustomField.createMany({ data: values.map((value) => ({ contactId, ...value })) });
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
