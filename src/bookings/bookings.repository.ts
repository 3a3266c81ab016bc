import { Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import { ReadPrismaService } from '../database/read-prisma.service.js';
import { Prisma, type Booking, type BookingStatus } from '../generated/prisma/client.js';
import type { KeysetPosition } from '../database/keyset.js';

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
}

/** Every column of a BookingRow, named as Prisma names them. */
const BOOKING_COLUMNS = Prisma.raw(
  [
    'id',
    'ghl_appointment_id AS "ghlAppointmentId"',
    'ghl_location_id AS "ghlLocationId"',
    'contact_id AS "contactId"',
    'ghl_contact_id AS "ghlContactId"',
    'calendar_id AS "calendarId"',
    'title',
    'status::text AS status',
    'status_raw AS "statusRaw"',
    'starts_at AS "startsAt"',
    'ends_at AS "endsAt"',
    'meta',
    'ghl_updated_at AS "ghlUpdatedAt"',
    'deleted_at AS "deletedAt"',
    'created_at AS "createdAt"',
    'updated_at AS "updatedAt"',
  ].join(', '),
);

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
   * One page in (created_at, id) order, after `after` when given. The page's ids are chosen first
   * and only the page's rows are then read from the table.
   *
   * With a date range, Postgres alone would walk the (created_at, id) index and filter on
   * starts_at: it takes the range's bookings to be spread evenly over creation time, but bookings are
   * made ahead, so a range in the middle of the data starts only after most bookings were created
   * and the walk reads them all first. So the range is read first, in the (starts_at, created_at,
   * id, deleted_at) index alone, up to RANGE_FIRST_LIMIT entries, and sorted; only a range wider
   * than that (where matches are many and the walk finds a page soon) is left to the walk.
   */
  async findPage(query: BookingQuery, limit: number, after?: KeysetPosition): Promise<BookingRow[]> {
    const conditions = this.conditionsOf(query, after);
    const pageIds =
      query.startsAfter === undefined && query.startsBefore === undefined
        ? Prisma.sql`SELECT id FROM bookings WHERE ${conditions} ORDER BY created_at, id LIMIT ${limit}`
        : Prisma.sql`
            WITH in_range AS MATERIALIZED (
              SELECT id, created_at FROM bookings WHERE ${conditions} ORDER BY starts_at LIMIT ${RANGE_FIRST_LIMIT + 1})
            (SELECT id FROM in_range WHERE (SELECT count(*) FROM in_range) <= ${RANGE_FIRST_LIMIT}
              ORDER BY created_at, id LIMIT ${limit})
            UNION ALL
            (SELECT id FROM bookings WHERE ${conditions} AND (SELECT count(*) FROM in_range) > ${RANGE_FIRST_LIMIT}
              ORDER BY created_at, id LIMIT ${limit})`;
    return this.reads.$queryRaw<BookingRow[]>`
      SELECT ${BOOKING_COLUMNS} FROM bookings WHERE id IN (${pageIds}) ORDER BY created_at, id`;
  }

  async count(query: BookingQuery): Promise<number> {
    const [row] = await this.reads.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM bookings WHERE ${this.conditionsOf(query)}`;
    return row!.count;
  }

  /** Live bookings of these contacts, soonest first. */
  async findByContactIds(contactIds: readonly string[]): Promise<BookingRow[]> {
    return this.reads.booking.findMany({
      where: { contactId: { in: [...contactIds] }, deletedAt: null },
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** The filter, and the keyset position when given, as one SQL condition. */
  private conditionsOf(query: BookingQuery, after?: KeysetPosition): Prisma.Sql {
    const conditions = [
      query.contactId !== undefined && Prisma.sql`contact_id = ${query.contactId}::uuid`,
      query.ghlContactId !== undefined && Prisma.sql`ghl_contact_id = ${query.ghlContactId}`,
      query.status !== undefined && Prisma.sql`status = ${query.status}::booking_status`,
      query.startsAfter !== undefined && Prisma.sql`starts_at >= ${query.startsAfter}`,
      query.startsBefore !== undefined && Prisma.sql`starts_at < ${query.startsBefore}`,
      !query.includeDeleted && Prisma.sql`deleted_at IS NULL`,
      // The `>=` lets Postgres start a range scan of the (created_at, id) index; the row comparison decides.
      after &&
        Prisma.sql`created_at >= ${after.createdAt} AND (created_at, id) > (${after.createdAt}, ${after.id}::uuid)`,
    ].filter((condition): condition is Prisma.Sql => condition !== false && condition !== undefined);
    return conditions.length > 0 ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`;
  }
}
