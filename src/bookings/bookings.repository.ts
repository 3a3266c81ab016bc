import { Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import { ReadPrismaService } from '../database/read-prisma.service.js';
import type { Booking, BookingStatus, Prisma } from '../generated/prisma/client.js';
import { keysetAfter, type KeysetPosition } from '../database/keyset.js';

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

  /** One page in (created_at, id) order, after `after` when given. */
  async findPage(query: BookingQuery, limit: number, after?: KeysetPosition): Promise<BookingRow[]> {
    return this.reads.booking.findMany({
      where: { AND: [this.whereOf(query), after ? keysetAfter(after) : {}] },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
  }

  async count(query: BookingQuery): Promise<number> {
    return this.reads.booking.count({ where: this.whereOf(query) });
  }

  /** Live bookings of these contacts, soonest first. */
  async findByContactIds(contactIds: readonly string[]): Promise<BookingRow[]> {
    return this.reads.booking.findMany({
      where: { contactId: { in: [...contactIds] }, deletedAt: null },
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    });
  }

  private whereOf(query: BookingQuery): Prisma.BookingWhereInput {
    return {
      ...(query.contactId !== undefined && { contactId: query.contactId }),
      ...(query.ghlContactId !== undefined && { ghlContactId: query.ghlContactId }),
      ...(query.status !== undefined && { status: query.status }),
      ...((query.startsAfter !== undefined || query.startsBefore !== undefined) && {
        startsAt: { gte: query.startsAfter, lt: query.startsBefore },
      }),
      ...(!query.includeDeleted && { deletedAt: null }),
    };
  }
}
