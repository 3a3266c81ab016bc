import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import { ReadPrismaService } from '../database/read-prisma.service.js';
import type { BackfillRun } from '../generated/prisma/client.js';
import type { BackfillProgress, BackfillResult } from './checkpointed-listing.js';

export type BackfillRunRow = BackfillRun;

/** `ghl_sync.backfill_runs`: each run of an object, its progress while it runs and how it ended. */
@Injectable()
export class BackfillRunsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly reads: ReadPrismaService,
  ) {}

  async start(locationId: string, object: string, full: boolean): Promise<bigint> {
    const run = await this.prisma.backfillRun.create({ data: { locationId, object, full }, select: { id: true } });
    return run.id;
  }

  async progress(id: bigint, progress: BackfillProgress): Promise<void> {
    await this.prisma.backfillRun.update({
      where: { id },
      data: { pages: progress.pages, records: progress.records, total: progress.total ?? null },
    });
  }

  async finish(id: bigint, outcome: { result: BackfillResult } | { error: string }): Promise<void> {
    const data =
      'result' in outcome
        ? {
            status: 'done',
            full: outcome.result.full,
            pages: outcome.result.pages,
            records: outcome.result.records,
            tombstoned: outcome.result.tombstoned,
            resumed: outcome.result.resumed,
          }
        : { status: 'failed', error: outcome.error };
    await this.prisma.backfillRun.update({ where: { id }, data: { ...data, finishedAt: new Date() } });
  }

  /**
   * The latest run of every (location, object) that has a checkpoint row (each run starts by
   * writing it): one index probe per pair, however many runs the table keeps.
   */
  async latestOfEach(): Promise<BackfillRunRow[]> {
    return this.reads.$queryRaw<BackfillRunRow[]>`
      SELECT r.id, r.location_id AS "locationId", r.object, r."full", r.status, r.pages, r.records, r.total,
             r.tombstoned, r.resumed, r.error, r.started_at AS "startedAt", r.finished_at AS "finishedAt"
        FROM ghl_sync.sync_cursors c
       CROSS JOIN LATERAL (SELECT * FROM ghl_sync.backfill_runs b
                            WHERE b.location_id = c.location_id AND b.object = c.object
                            ORDER BY b.id DESC LIMIT 1) r`;
  }

  /** The object's latest run, running or not. */
  async latest(locationId: string, object: string): Promise<BackfillRunRow | null> {
    return this.reads.backfillRun.findFirst({ where: { locationId, object }, orderBy: { id: 'desc' } });
  }
}
