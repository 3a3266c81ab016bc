import { Injectable } from '@nestjs/common';
import type { KeysetPosition } from '../database/keyset.js';
import { PrismaService, type PrismaTransaction, type SqlClient } from '../database/prisma.service.js';
import { ReadPrismaService } from '../database/read-prisma.service.js';
import { markSyncOriginAndLock, type SyncOrigin } from '../database/sync-origin.js';
import type { Contact, Prisma } from '../generated/prisma/client.js';
import type { ContactState, PlannedWrites } from './contact-change-plan.js';
import type { CustomFieldValue } from './contact.mapper.js';

export type ContactRow = Contact;

/**
 * A contact as the read API serves it: the columns its GraphQL type shows, and its tags, read in
 * the same statement (`withTags`), or else loaded when a query reads them (contact.loaders.ts: one
 * statement for every such contact of the request).
 */
export interface ContactNode {
  readonly id: string;
  readonly ghlContactId: string | null;
  readonly ghlLocationId: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly ghlUpdatedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deletedAt: Date | null;
  tags?: string[] | Promise<string[]>;
}

/** The columns of a ContactNode and their fields, for readers that join contacts (a booking's contact). */
export const CONTACT_NODE_FIELDS: readonly (readonly [column: string, field: string])[] = [
  ['id', 'id'],
  ['ghl_contact_id', 'ghlContactId'],
  ['ghl_location_id', 'ghlLocationId'],
  ['email', 'email'],
  ['phone', 'phone'],
  ['first_name', 'firstName'],
  ['last_name', 'lastName'],
  ['ghl_updated_at', 'ghlUpdatedAt'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
  ['deleted_at', 'deletedAt'],
];

/** The columns of a ContactNode, of `contacts c`. */
const NODE_COLUMNS = CONTACT_NODE_FIELDS.map(([column, field]) =>
  column === field ? `c.${column}` : `c.${column} AS "${field}"`,
).join(', ');

/** The columns of the fields `shown` of `contacts c`, and id and createdAt (the cursor, nested fields). */
function pageColumnsOf(shown: ReadonlySet<string>): string {
  return CONTACT_NODE_FIELDS.filter(([, field]) => field === 'id' || field === 'createdAt' || shown.has(field))
    .map(([column, field]) => (column === field ? `c.${column}` : `c.${column} AS "${field}"`))
    .join(', ');
}

/** A contact's tags in order, from the (contact_id, tag) key alone. */
const TAGS_COLUMN = 'ARRAY(SELECT t.tag FROM contact_tags t WHERE t.contact_id = c.id ORDER BY t.tag) AS tags';

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
  /** Read each contact's tags in the page's statement (the query selects them). */
  readonly withTags?: boolean;
  /** The fields the query shows of each contact (id and createdAt always read); every field when not given. */
  readonly fields?: ReadonlySet<string>;
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
   * Opens the sync's own write of contacts in the caller's transaction; every write of contacts,
   * tags and custom fields by the sync goes through here first. It marks the transaction's origin,
   * so the outbox triggers do not record it (ADR 0019), and serializes writers of the same natural
   * keys (`ghl:<id>`, `email:<address>`) until the transaction ends, so two deliveries for one
   * person cannot both insert.
   */
  async beginSyncWrite(
    keys: readonly string[],
    transaction: PrismaTransaction | SqlClient,
    origin: SyncOrigin = 'ghl',
  ): Promise<void> {
    await markSyncOriginAndLock(
      transaction,
      origin,
      keys.map((key) => `contact:${key}`),
    );
  }

  /** One contact by a unique key, deleted ones included: the read API's `contact(...)`. */
  async findOne(key: { id: string } | { ghlContactId: string } | { email: string }): Promise<ContactRow | null> {
    return this.reads.contact.findUnique({ where: key });
  }

  /** Contacts by id, deleted ones included, for the read API (a booking's or opportunity's contact). */
  async findByIds(ids: readonly string[]): Promise<ContactNode[]> {
    return this.reads.sql<ContactNode>(`SELECT ${NODE_COLUMNS} FROM contacts c WHERE c.id = ANY($1::uuid[])`, [ids]);
  }

  async findByGhlId(ghlContactId: string, transaction: PrismaTransaction = this.prisma): Promise<ContactRow | null> {
    return transaction.contact.findUnique({ where: { ghlContactId } });
  }

  /** After `beginSyncWrite` in `transaction`. */
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
   * After `beginSyncWrite` in `client`.
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
    if (writes.tags.size > 0) await this.replaceTags(writes, client);
    if (writes.customFields.size > 0) {
      const rows = [...writes.customFields].flatMap(([contactId, values]) =>
        values.map((value) => ({ contactId, ...value })),
      );
      const kept = [...writes.keptCustomFields].flatMap(([contactId, fieldIds]) =>
        fieldIds.map((fieldId) => [contactId, fieldId] as const),
      );
      await client.query(
        `DELETE FROM contact_custom_fields f WHERE f.contact_id = ANY($1::uuid[])
           AND NOT EXISTS (SELECT FROM unnest($2::uuid[], $3::text[]) AS k(contact_id, field_id)
                           WHERE k.contact_id = f.contact_id AND k.field_id = f.field_id)`,
        [[...writes.customFields.keys()], kept.map(([contactId]) => contactId), kept.map(([, fieldId]) => fieldId)],
      );
      await client.query(
        `INSERT INTO contact_custom_fields (contact_id, field_id, value)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
        [rows.map((row) => row.contactId), rows.map((row) => row.fieldId), rows.map((row) => row.value)],
      );
    }
  }

  /**
   * Each contact's tags become its set in `writes.tags`, but for its current `trainu_only` ones,
   * which stay: deleted and put back, as matching them takes the rules, not SQL.
   */
  private async replaceTags(writes: PlannedWrites, client: SqlClient): Promise<void> {
    const { trainuOnlyTag } = writes;
    const returning = trainuOnlyTag ? ' RETURNING contact_id AS "contactId", tag' : '';
    const { rows: previous } = await client.query<{ contactId: string; tag: string }>(
      `DELETE FROM contact_tags WHERE contact_id = ANY($1::uuid[])${returning}`,
      [[...writes.tags.keys()]],
    );
    const rows = [
      ...[...writes.tags].flatMap(([contactId, tags]) => tags.map((tag) => ({ contactId, tag }))),
      ...(trainuOnlyTag ? previous.filter(({ tag }) => trainuOnlyTag(tag)) : []),
    ];
    await client.query(
      'INSERT INTO contact_tags (contact_id, tag) SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING',
      [rows.map((row) => row.contactId), rows.map((row) => row.tag)],
    );
  }

  /**
   * One page in (created_at, id) order, after `after` when given: plain node-postgres on the read
   * pool, only the columns the API shows, and the tags in the same statement when asked.
   */
  async findPage(query: ContactQuery, limit: number, after?: KeysetPosition): Promise<ContactNode[]> {
    const values: unknown[] = [];
    const conditions = this.conditionsOf(query, values, after);
    // The limit in the text, not a parameter: a generic plan for an unknown LIMIT assumes a large one.
    return this.reads.sql<ContactNode>(
      `SELECT ${query.fields ? pageColumnsOf(query.fields) : NODE_COLUMNS}${query.withTags ? `, ${TAGS_COLUMN}` : ''} FROM contacts c
        WHERE ${conditions} ORDER BY c.created_at, c.id LIMIT ${Math.trunc(limit)}`,
      values,
    );
  }

  async count(query: ContactQuery): Promise<number> {
    const values: unknown[] = [];
    const [row] = await this.reads.sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM contacts c WHERE ${this.conditionsOf(query, values)}`,
      values,
    );
    return row!.count;
  }

  async tagsOf(contactIds: readonly string[]): Promise<{ contactId: string; tag: string }[]> {
    return this.reads.sql<{ contactId: string; tag: string }>(
      'SELECT contact_id AS "contactId", tag FROM contact_tags WHERE contact_id = ANY($1::uuid[]) ORDER BY contact_id, tag',
      [contactIds],
    );
  }

  async customFieldsOf(contactIds: readonly string[]): Promise<(CustomFieldValue & { contactId: string })[]> {
    return this.reads.contactCustomField.findMany({
      where: { contactId: { in: [...contactIds] } },
      orderBy: [{ contactId: 'asc' }, { fieldId: 'asc' }],
    });
  }

  /** The filter, and the keyset position when given, as one SQL condition on `contacts c`; parameters into `values`. */
  private conditionsOf(query: ContactQuery, values: unknown[], after?: KeysetPosition): string {
    const parameter = (value: unknown) => `$${values.push(value)}`;
    const conditions: string[] = [];
    if (query.email !== undefined) conditions.push(`c.email = ${parameter(query.email)}`);
    if (query.phone !== undefined) conditions.push(`c.phone = ${parameter(query.phone)}`);
    if (query.tag !== undefined) {
      conditions.push(
        `EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id AND t.tag = ${parameter(query.tag)})`,
      );
    }
    if (query.updatedSince !== undefined) conditions.push(`c.updated_at >= ${parameter(query.updatedSince)}`);
    if (!query.includeDeleted) conditions.push('c.deleted_at IS NULL');
    if (after) {
      // The `>=` lets Postgres start a range scan of the (created_at, id) index; the row comparison decides.
      const createdAt = parameter(after.createdAt);
      conditions.push(
        `c.created_at >= ${createdAt} AND (c.created_at, c.id) > (${createdAt}, ${parameter(after.id)}::uuid)`,
      );
    }
    return conditions.length > 0 ? conditions.join(' AND ') : 'TRUE';
  }
}
