import { Injectable } from '@nestjs/common';
import { lockKeys } from '../database/advisory-locks.js';
import { keysetAfter, type KeysetPosition } from '../database/keyset.js';
import { PrismaService, type PrismaTransaction, type SqlClient } from '../database/prisma.service.js';
import { ReadPrismaService } from '../database/read-prisma.service.js';
import type { Contact, Prisma } from '../generated/prisma/client.js';
import type { ContactState, PlannedWrites } from './contact-change-plan.js';
import type { CustomFieldValue } from './contact.mapper.js';

export type ContactRow = Contact;

/** The columns a ContactChangePlan reads and writes, in the order of `stateArrays`. */
const STATE_COLUMN_NAMES = [
  'id',
  'ghl_contact_id',
  'ghl_location_id',
  'email',
  'phone',
  'phone_invalid_raw',
  'email_conflict',
  'email_conflict_contact_id',
  'first_name',
  'last_name',
  'ghl_updated_at',
  'deleted_at',
] as const;
const STATE_ARRAY_TYPES = [
  'uuid',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'uuid',
  'text',
  'text',
  'timestamptz',
  'timestamptz',
];
const STATE_ARRAY_PARAMETERS = STATE_ARRAY_TYPES.map((type, index) => `$${index + 1}::${type}[]`).join(', ');
const STATE_COLUMNS = [
  ...STATE_COLUMN_NAMES.map((column) => `${column} AS "${camelCase(column)}"`),
  'created_at AS "createdAt"',
].join(', ');

/** One array per column of STATE_COLUMN_NAMES, for `unnest`. */
function stateArrays(rows: readonly ContactState[]): unknown[][] {
  return STATE_KEYS.map((key) => rows.map((row) => row[key]));
}

function camelCase(column: string): string {
  return column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

const STATE_KEYS = STATE_COLUMN_NAMES.map((column) => camelCase(column) as keyof ContactState);

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
  constructor(
    private readonly prisma: PrismaService,
    private readonly reads: ReadPrismaService,
  ) {}

  /**
   * Serializes writers of the same natural keys (GHL id, email) until the transaction ends, so two
   * deliveries for one person cannot both insert.
   */
  async lockNaturalKeys(keys: readonly string[], transaction: PrismaTransaction | SqlClient): Promise<void> {
    await lockKeys(
      transaction,
      keys.map((key) => `contact:${key}`),
    );
  }

  /** One contact by a unique key, deleted ones included: the read API's `contact(...)`. */
  async findOne(key: { id: string } | { ghlContactId: string } | { email: string }): Promise<ContactRow | null> {
    return this.reads.contact.findUnique({ where: key });
  }

  async findByIds(ids: readonly string[]): Promise<ContactRow[]> {
    return this.reads.contact.findMany({ where: { id: { in: [...ids] } } });
  }

  async findByGhlId(ghlContactId: string, transaction: PrismaTransaction = this.prisma): Promise<ContactRow | null> {
    return transaction.contact.findUnique({ where: { ghlContactId } });
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
    client: SqlClient,
  ): Promise<ContactState[]> {
    const { rows } = await client.query<ContactState>(
      `SELECT ${STATE_COLUMNS} FROM contacts
       WHERE ghl_contact_id = ANY($1::text[]) OR email = ANY($2::text[])
          OR (phone = ANY($3::text[]) AND ghl_contact_id IS NULL AND email IS NULL AND deleted_at IS NULL)
       ORDER BY created_at`,
      [keys.ghlIds, keys.emails, keys.phones],
    );
    return rows;
  }

  /**
   * Writes a plan in a fixed order, a few statements whatever its size (plain SQL over arrays: a
   * page of 500 through Prisma's query compiler cost more than the rest of the backfill): emails
   * that move are cleared first (the unique index checks every row), then new contacts (others may
   * point at them in `email_conflict_contact_id`), then updates (rows whose values are unchanged are
   * left alone, so `updated_at` moves only when something did), then the tag and custom field sets.
   */
  async writePlan(writes: PlannedWrites, client: SqlClient): Promise<void> {
    if (writes.emailMoves.length > 0) {
      await client.query('UPDATE contacts SET email = NULL WHERE id = ANY($1::uuid[])', [writes.emailMoves]);
    }
    if (writes.created.length > 0) {
      await client.query(
        `INSERT INTO contacts (${STATE_COLUMN_NAMES.join(', ')}, created_at)
         SELECT * FROM unnest(${STATE_ARRAY_PARAMETERS}, $13::timestamptz[])`,
        [...stateArrays(writes.created), writes.created.map((row) => row.createdAt)],
      );
    }
    if (writes.updated.length > 0) {
      await client.query(
        `UPDATE contacts c SET ${STATE_COLUMN_NAMES.slice(1)
          .map((column) => `${column} = v.${column}`)
          .join(', ')}, updated_at = now()
         FROM unnest(${STATE_ARRAY_PARAMETERS}) AS v(${STATE_COLUMN_NAMES.join(', ')})
         WHERE c.id = v.id
           AND (${STATE_COLUMN_NAMES.map((column) => `c.${column}`).join(', ')})
               IS DISTINCT FROM (${STATE_COLUMN_NAMES.map((column) => `v.${column}`).join(', ')})`,
        stateArrays(writes.updated),
      );
    }
    await this.replaceSets(writes, client);
  }

  /** Tags and custom fields are replaced as whole sets, for the contacts whose change carried them. */
  private async replaceSets(writes: PlannedWrites, client: SqlClient): Promise<void> {
    if (writes.tags.size > 0) {
      const rows = [...writes.tags].flatMap(([contactId, tags]) => tags.map((tag) => [contactId, tag] as const));
      await client.query('DELETE FROM contact_tags WHERE contact_id = ANY($1::uuid[])', [[...writes.tags.keys()]]);
      await client.query(
        'INSERT INTO contact_tags (contact_id, tag) SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING',
        [rows.map(([contactId]) => contactId), rows.map(([, tag]) => tag)],
      );
    }
    if (writes.customFields.size > 0) {
      const rows = [...writes.customFields].flatMap(([contactId, values]) =>
        values.map((value) => ({ contactId, ...value })),
      );
      await client.query('DELETE FROM contact_custom_fields WHERE contact_id = ANY($1::uuid[])', [
        [...writes.customFields.keys()],
      ]);
      await client.query(
        'INSERT INTO contact_custom_fields (contact_id, field_id, value) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])',
        [rows.map((row) => row.contactId), rows.map((row) => row.fieldId), rows.map((row) => row.value)],
      );
    }
  }

  /** One page in (created_at, id) order, after `after` when given. */
  async findPage(query: ContactQuery, limit: number, after?: KeysetPosition): Promise<ContactRow[]> {
    return this.reads.contact.findMany({
      where: { AND: [this.whereOf(query), after ? keysetAfter(after) : {}] },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
  }

  async count(query: ContactQuery): Promise<number> {
    return this.reads.contact.count({ where: this.whereOf(query) });
  }

  async tagsOf(contactIds: readonly string[]): Promise<{ contactId: string; tag: string }[]> {
    return this.reads.contactTag.findMany({
      where: { contactId: { in: [...contactIds] } },
      orderBy: [{ contactId: 'asc' }, { tag: 'asc' }],
    });
  }

  async customFieldsOf(contactIds: readonly string[]): Promise<(CustomFieldValue & { contactId: string })[]> {
    return this.reads.contactCustomField.findMany({
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
