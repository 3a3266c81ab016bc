import { Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import { ReadPrismaService } from '../database/read-prisma.service.js';
import { CONTACT_NODE_FIELDS, type ContactNode } from '../contacts/contacts.repository.js';
import type { KeysetPosition } from '../database/keyset.js';
import { Prisma, type Booking, type BookingStatus } from '../generated/prisma/client.js';

export type BookingRow = Booking;
export type BookingWrite = Prisma.BookingUncheckedCreateInput;

/** What the read API may filter bookings by. */
export interface BookingQuery {
  readonly contactId?: string;
  readonly ghlContactId?: string;
  readonly status?: BookingStatus;
  readonly startsAfter?: Date;
  readonly startsBefore?: Date;
  readonly includeDeleted?: boolean;
  /** The fields the query shows of each booking; every field when not given. */
  readonly fields?: ReadonlySet<string>;
  /** The fields the query shows of each booking's contact, read in the page's statement; not read when not given. */
  readonly contactFields?: ReadonlySet<string>;
}

/**
 * A booking as the read API serves it: the columns its GraphQL type shows (and its position), and
 * its contact, read in the same statement (`withContact`), or else loaded when a query reads it
 * (through the request's contact loader).
 */
export interface BookingNode {
  readonly id: string;
  readonly ghlAppointmentId: string;
  readonly contactId: string | null;
  readonly calendarId: string | null;
  readonly title: string | null;
  readonly status: BookingStatus;
  readonly startsAt: Date;
  readonly endsAt: Date | null;
  readonly ghlUpdatedAt: Date | null;
  readonly deletedAt: Date | null;
  readonly createdAt: Date;
  contact?: ContactNode | null | Promise<ContactNode | null>;
}

/** The columns of a BookingNode and their fields, of `bookings b`. */
const NODE_FIELDS: readonly (readonly [column: string, field: string])[] = [
  ['b.id', 'id'],
  ['b.ghl_appointment_id', 'ghlAppointmentId'],
  ['b.contact_id', 'contactId'],
  ['b.calendar_id', 'calendarId'],
  ['b.title', 'title'],
  ['b.status::text', 'status'],
  ['b.starts_at', 'startsAt'],
  ['b.ends_at', 'endsAt'],
  ['b.ghl_updated_at', 'ghlUpdatedAt'],
  ['b.deleted_at', 'deletedAt'],
  ['b.created_at', 'createdAt'],
];
/** Read whatever the query selects: the cursor and the contact's loader need them. */
const ALWAYS = new Set(['id', 'contactId', 'createdAt']);

/** The columns of the fields `shown` (every field when not given), and those a booking always needs. */
function columnsOf(shown: ReadonlySet<string> | undefined): string {
  return NODE_FIELDS.filter(([, field]) => !shown || shown.has(field) || ALWAYS.has(field))
    .map(([column, field]) => `${column} AS "${field}"`)
    .join(', ');
}

/** A booking's contact's columns, of `contacts c` joined, each prefixed `contact.`: its id and the fields `shown`. */
function contactColumnsOf(shown: ReadonlySet<string>): string {
  return CONTACT_NODE_FIELDS.filter(([, field]) => field === 'id' || shown.has(field))
    .map(([column, field]) => `c.${column} AS "contact.${field}"`)
    .join(', ');
}

/** Bookings of a date range read in starts_at order and sorted, at most; a wider range walks creation order. */
const RANGE_FIRST_LIMIT = 10_000;

/** The `bookings` table. */
@Injectable()
export class BookingsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly reads: ReadPrismaService,
  ) {}

  async findByGhlId(
    ghlAppointmentId: string,
    transaction: PrismaTransaction = this.prisma,
  ): Promise<BookingRow | null> {
    return transaction.booking.findUnique({ where: { ghlAppointmentId } });
  }

  async create(data: BookingWrite, transaction: PrismaTransaction): Promise<BookingRow> {
    return transaction.booking.create({ data });
  }

  async update(id: string, data: Partial<BookingWrite>, transaction: PrismaTransaction): Promise<BookingRow> {
    return transaction.booking.update({ where: { id }, data });
  }

  /**
   * One page in (created_at, id) order, after `after` when given, in one statement of plain
   * node-postgres on the read pool: the page's ids are chosen first and only the page's rows are
   * then read from the table, with their contacts when asked.
   *
   * With a date range, Postgres alone would walk the (created_at, id) index and filter on
   * starts_at: it takes the range's bookings to be spread evenly over creation time, but bookings are
   * made ahead, so a range in the middle of the data starts only after most bookings were created
   * and the walk reads them all first. So the range is read first, in the (starts_at, created_at,
   * id, deleted_at) index alone, up to RANGE_FIRST_LIMIT + 1 entries, and the page's ids are the
   * first of those in creation order (a top-N sort, nothing materialized). The same statement counts
   * the range's entries up to that limit; only a range wider than it (where matches are many and the
   * walk finds a page soon) is read again by the walk, in a second statement.
   */
  async findPage(query: BookingQuery, limit: number, after?: KeysetPosition): Promise<BookingNode[]> {
    const values: unknown[] = [];
    const conditions = this.conditionsOf(query, values, after);
    const ranged = query.startsAfter !== undefined || query.startsBefore !== undefined;
    // Limits in the text, not parameters: a generic plan for an unknown LIMIT assumes a large one.
    const walk = `SELECT id FROM bookings WHERE ${conditions} ORDER BY created_at, id LIMIT ${Math.trunc(limit)}`;
    if (!ranged) return this.pageOf(walk, values, query);
    // In starts_at order, so the range is read from the index even when it holds most of the table.
    const capped = `SELECT FROM bookings WHERE ${conditions} ORDER BY starts_at LIMIT ${RANGE_FIRST_LIMIT + 1}`;
    const rangeFirst = `SELECT id FROM (SELECT id, created_at FROM bookings WHERE ${conditions}
        ORDER BY starts_at LIMIT ${RANGE_FIRST_LIMIT + 1}) r
      ORDER BY created_at, id LIMIT ${Math.trunc(limit)}`;
    const rangeSize = `(SELECT count(*)::int FROM (${capped}) n) AS "rangeSize"`;
    const rows = await this.pageOf(rangeFirst, values, query, rangeSize);
    const [first] = rows as (BookingNode & { rangeSize?: number })[];
    if (first?.rangeSize === undefined || first.rangeSize <= RANGE_FIRST_LIMIT) return rows;
    return this.pageOf(walk, values, query);
  }

  async count(query: BookingQuery): Promise<number> {
    const values: unknown[] = [];
    const [row] = await this.reads.sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM bookings WHERE ${this.conditionsOf(query, values)}`,
      values,
    );
    return row!.count;
  }

  /** Live bookings of these contacts, soonest first. */
  async findByContactIds(contactIds: readonly string[]): Promise<BookingNode[]> {
    return this.reads.sql<BookingNode>(
      `SELECT ${columnsOf(undefined)} FROM bookings b WHERE b.contact_id = ANY($1::uuid[]) AND b.deleted_at IS NULL
        ORDER BY b.starts_at, b.id`,
      [contactIds],
    );
  }

  /** The bookings whose ids `pageIds` selects, in (created_at, id) order, with their contacts when asked. */
  private async pageOf(
    pageIds: string,
    values: readonly unknown[],
    { fields, contactFields }: BookingQuery,
    extra?: string,
  ): Promise<BookingNode[]> {
    const withContact = contactFields !== undefined;
    const columns = [
      columnsOf(fields),
      ...(withContact ? [contactColumnsOf(contactFields)] : []),
      ...(extra ? [extra] : []),
    ].join(', ');
    const rows = await this.reads.sql<Record<string, unknown>>(
      `SELECT ${columns} FROM bookings b${withContact ? ' LEFT JOIN contacts c ON c.id = b.contact_id' : ''}
        WHERE b.id IN (${pageIds}) ORDER BY b.created_at, b.id`,
      values,
    );
    if (!withContact) return rows as unknown as BookingNode[];
    return rows.map((row) => {
      const booking: Record<string, unknown> = {};
      const contact: Record<string, unknown> = {};
      for (const key in row) {
        if (key.startsWith('contact.')) contact[key.slice(8)] = row[key];
        else booking[key] = row[key];
      }
      booking.contact = contact.id === null ? null : contact;
      return booking as unknown as BookingNode;
    });
  }

  /** The filter, and the keyset position when given, as one SQL condition on `bookings`; parameters into `values`. */
  private conditionsOf(query: BookingQuery, values: unknown[], after?: KeysetPosition): string {
    const parameter = (value: unknown) => `$${values.push(value)}`;
    const conditions: string[] = [];
    if (query.contactId !== undefined) conditions.push(`contact_id = ${parameter(query.contactId)}::uuid`);
    if (query.ghlContactId !== undefined) conditions.push(`ghl_contact_id = ${parameter(query.ghlContactId)}`);
    if (query.status !== undefined) conditions.push(`status = ${parameter(query.status)}::booking_status`);
    if (query.startsAfter !== undefined) conditions.push(`starts_at >= ${parameter(query.startsAfter)}`);
    if (query.startsBefore !== undefined) conditions.push(`starts_at < ${parameter(query.startsBefore)}`);
    if (!query.includeDeleted) conditions.push('deleted_at IS NULL');
    if (after) {
      // The `>=` lets Postgres start a range scan of the (created_at, id) index; the row comparison decides.
      const createdAt = parameter(after.createdAt);
      conditions.push(`created_at >= ${createdAt} AND (created_at, id) > (${createdAt}, ${parameter(after.id)}::uuid)`);
    }
    return conditions.length > 0 ? conditions.join(' AND ') : 'TRUE';
  }
}
