import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';

/** The `sync_cursors` table: one backfill checkpoint per (location, object). */
@Injectable()
export class SyncCursorsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** When the most recent backfill of any object finished, if one ever has. */
  async lastCompletedAt(): Promise<Date | undefined> {
    const { _max } = await this.prisma.syncCursor.aggregate({ _max: { lastCompletedAt: true } });
    return _max.lastCompletedAt ?? undefined;
  }
}
