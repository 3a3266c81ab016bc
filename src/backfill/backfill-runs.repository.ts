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
   * The latest run, running or not, of each of `objects` that ever ran at `locationId`: one index
   * probe per object, however many runs the table keeps.
   */
  async latestOf(locationId: string, objects: readonly string[]): Promise<BackfillRunRow[]> {
    return this.reads.$queryRaw<BackfillRunRow[]>`
      SELECT r.id, r.location_id AS "locationId", r.object, r."full", r.status, r.pages, r.records, r.total,
             r.tombstoned, r.resumed, r.error, r.started_at AS "startedAt", r.finished_at AS "finishedAt"
        FROM unnest(${objects}::text[]) AS o(object)
       CROSS JOIN LATERAL (SELECT * FROM ghl_sync.backfill_runs b
                            WHERE b.location_id = ${locationId} AND b.object = o.object
                            ORDER BY b.id DESC LIMIT 1) r`;
  }
}
