import { Injectable } from '@nestjs/common';
import { keysetAfter, type KeysetPosition } from '../database/keyset.js';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import { ReadPrismaService } from '../database/read-prisma.service.js';
import type { DeadLetterStatus, Prisma, SyncDeadLetter } from '../generated/prisma/client.js';

export type DeadLetterRow = SyncDeadLetter;
export type DeadLetterInsert = Omit<Prisma.SyncDeadLetterUncheckedCreateInput, 'id' | 'status'>;

export interface DeadLetterQuery {
  readonly status?: DeadLetterStatus;
  readonly queue?: string;
  readonly errorClass?: string;
}

/** The `sync_dead_letters` table: work that exhausted its retries or can never succeed. */
@Injectable()
export class DeadLettersRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly reads: ReadPrismaService,
  ) {}

  async insert(deadLetter: DeadLetterInsert, transaction: PrismaTransaction): Promise<DeadLetterRow> {
    return transaction.syncDeadLetter.create({ data: deadLetter });
  }

  async countOpen(): Promise<number> {
    return this.reads.syncDeadLetter.count({ where: { status: 'OPEN' } });
  }

  async findById(id: string): Promise<DeadLetterRow | null> {
    return this.prisma.syncDeadLetter.findUnique({ where: { id } });
  }

  /** Reads the row and locks it until the transaction ends: concurrent replays and discards of one letter queue up. */
  async findByIdForUpdate(id: string, transaction: PrismaTransaction): Promise<DeadLetterRow | null> {
    const locked = await transaction.$queryRaw<
      { id: string }[]
    >`SELECT id FROM ghl_sync.sync_dead_letters WHERE id = ${id}::uuid FOR UPDATE`;
    return locked.length > 0 ? transaction.syncDeadLetter.findUnique({ where: { id } }) : null;
  }

  async resolve(
    id: string,
    resolution: { status: 'REPLAYED' | 'DISCARDED'; resolvedBy: string; note?: string },
    transaction: PrismaTransaction,
  ): Promise<DeadLetterRow> {
    return transaction.syncDeadLetter.update({
      where: { id },
      data: {
        status: resolution.status,
        resolvedBy: resolution.resolvedBy,
        resolvedAt: new Date(),
        resolutionNote: resolution.note ?? null,
      },
    });
  }

  async findPage(query: DeadLetterQuery, limit: number, after?: KeysetPosition): Promise<DeadLetterRow[]> {
    return this.reads.syncDeadLetter.findMany({
      where: { AND: [this.whereOf(query), after ? keysetAfter(after) : {}] },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
  }

  async count(query: DeadLetterQuery): Promise<number> {
    return this.reads.syncDeadLetter.count({ where: this.whereOf(query) });
  }

  /** How many dead letters of each error class and queue have this status (the console's filters). */
  async classCounts(status: DeadLetterStatus): Promise<{ errorClass: string; queue: string; count: number }[]> {
    const groups = await this.reads.syncDeadLetter.groupBy({
      by: ['errorClass', 'queue'],
      where: { status },
      _count: { _all: true },
      orderBy: [{ errorClass: 'asc' }, { queue: 'asc' }],
    });
    return groups.map((group) => ({ errorClass: group.errorClass, queue: group.queue, count: group._count._all }));
  }

  /** The inbox event an inbound job was about: what GHL sent (the payload a dead letter's job names by id). */
  async storedEvent(eventId: string): Promise<{ type: string; payload: unknown } | null> {
    if (!/^[0-9a-f-]{36}$/i.test(eventId)) return null;
    return this.reads.syncEvent.findUnique({ where: { id: eventId }, select: { type: true, payload: true } });
  }

  private whereOf(query: DeadLetterQuery): Prisma.SyncDeadLetterWhereInput {
    return {
      ...(query.status !== undefined && { status: query.status }),
      ...(query.queue !== undefined && { queue: query.queue }),
      ...(query.errorClass !== undefined && { errorClass: query.errorClass }),
    };
  }
}
