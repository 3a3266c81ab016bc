import { Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import { ReadPrismaService } from '../database/read-prisma.service.js';
import { Prisma, type SyncCursor } from '../generated/prisma/client.js';

export type SyncCursorRow = SyncCursor;

/** The `sync_cursors` table: one backfill checkpoint per (location, object). */
@Injectable()
export class SyncCursorsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly reads: ReadPrismaService,
  ) {}

  /** When the most recent backfill of any object finished, if one ever has. */
  async lastCompletedAt(): Promise<Date | undefined> {
    const { _max } = await this.reads.syncCursor.aggregate({ _max: { lastCompletedAt: true } });
    return _max.lastCompletedAt ?? undefined;
  }

  async find(locationId: string, object: string): Promise<SyncCursorRow | null> {
    return this.prisma.syncCursor.findUnique({ where: { locationId_object: { locationId, object } } });
  }

  /** Starts a run: its checkpoint, and when it started (the next incremental run reads from there). */
  async start(locationId: string, object: string, cursor: Prisma.InputJsonValue, startedAt: Date): Promise<void> {
    await this.prisma.syncCursor.upsert({
      where: { locationId_object: { locationId, object } },
      create: { locationId, object, cursor, runStartedAt: startedAt },
      update: { cursor, runStartedAt: startedAt, lastError: null },
    });
  }

  /** Saves where the run is, after a page; with the page's own writes when given a transaction. */
  async checkpoint(
    locationId: string,
    object: string,
    cursor: Prisma.InputJsonValue,
    transaction: PrismaTransaction = this.prisma,
  ): Promise<void> {
    await transaction.syncCursor.update({ where: { locationId_object: { locationId, object } }, data: { cursor } });
  }

  async fail(locationId: string, object: string, error: string): Promise<void> {
    await this.prisma.syncCursor.update({
      where: { locationId_object: { locationId, object } },
      data: { lastError: error },
    });
  }

  async complete(locationId: string, object: string): Promise<void> {
    await this.prisma.syncCursor.update({
      where: { locationId_object: { locationId, object } },
      data: { cursor: Prisma.DbNull, lastCompletedAt: new Date(), lastError: null },
    });
  }
}
