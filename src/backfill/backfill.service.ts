import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { PrismaService } from '../database/prisma.service.js';
import { AppointmentsBackfill } from './appointments-backfill.js';
import { BackfillRunsRepository } from './backfill-runs.repository.js';
import {
  CheckpointedListing,
  type BackfillProgress,
  type BackfillResult,
  type ListingOptions,
} from './checkpointed-listing.js';
import { ContactsBackfill } from './contacts-backfill.js';
import { OpportunitiesBackfill } from './opportunities-backfill.js';
import { PipelinesBackfill } from './pipelines-backfill.js';

/** What a backfill can pull, in the order a run takes them: contacts before what points at them. */
export const BACKFILL_OBJECTS = ['pipelines', 'contacts', 'opportunities', 'appointments'] as const;
export type BackfillObject = (typeof BACKFILL_OBJECTS)[number];

export interface BackfillRequest {
  readonly objects?: readonly BackfillObject[];
  readonly full?: boolean;
  readonly since?: Date;
  readonly onProgress?: (progress: BackfillProgress) => void;
}

export type BackfillOutcome =
  | ({ readonly status: 'done'; readonly seconds: number } & BackfillResult)
  | { readonly status: 'busy'; readonly object: BackfillObject }
  | { readonly status: 'failed'; readonly object: BackfillObject; readonly error: string };

/** Says "connection", so the job is classified DatabaseUnavailable and run again once the database is back. */
const LOCK_LOST =
  'the connection holding the backfill lock was lost; the run resumes from its checkpoint once the database answers';

/**
 * Runs the backfill of each requested object in turn. One run per (location, object) at a time
 * across every instance: a session advisory lock, held on its own connection for the run, which
 * Postgres drops with the connection if the process dies; an object another process is running is
 * reported `busy` and skipped. A failed object does not stop the others; its checkpoint stays for
 * the next run.
 */
@Injectable()
export class BackfillService {
  private readonly logger = new Logger(BackfillService.name);
  private readonly locationId: string;

  constructor(
    config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly listing: CheckpointedListing,
    private readonly pipelines: PipelinesBackfill,
    private readonly contacts: ContactsBackfill,
    private readonly opportunities: OpportunitiesBackfill,
    private readonly appointments: AppointmentsBackfill,
    private readonly runs: BackfillRunsRepository,
  ) {
    this.locationId = config.ghl.locationId!;
  }

  async run(request: BackfillRequest = {}): Promise<BackfillOutcome[]> {
    const wanted = new Set(request.objects ?? BACKFILL_OBJECTS);
    const outcomes: BackfillOutcome[] = [];
    for (const object of BACKFILL_OBJECTS.filter((candidate) => wanted.has(candidate))) {
      outcomes.push(await this.runExclusively(object, request));
    }
    return outcomes;
  }

  private async runExclusively(object: BackfillObject, request: BackfillRequest): Promise<BackfillOutcome> {
    const client = await this.prisma.pool.connect();
    const lockKey = `backfill:${this.locationId}:${object}`;
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [lockKey],
      );
      if (!rows[0]!.locked) {
        this.logger.log({ object }, 'backfill of this object is running elsewhere; skipped');
        return { status: 'busy', object };
      }
      // Postgres drops the lock with its connection: from then on another run could start beside this one.
      let lockLost = false;
      const onLockLost = () => (lockLost = true);
      client.on('error', onLockLost);
      const run = await RecordedRun.start(this.runs, this.locationId, object, request);
      try {
        const started = performance.now();
        const result = await this.runObject(object, { ...request, onProgress: run.onProgress });
        if (lockLost) throw new Error(LOCK_LOST);
        await run.finish({ result });
        return { status: 'done', ...result, seconds: (performance.now() - started) / 1000 };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.error({ object, err: error }, 'backfill failed; its checkpoint is kept for the next run');
        await run.finish({ error: message }).catch(() => undefined);
        return { status: 'failed', object, error: message };
      } finally {
        client.removeListener('error', onLockLost);
        // A lost connection took the lock with it.
        if (!lockLost)
          await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]).catch(() => undefined);
      }
    } finally {
      client.release();
    }
  }

  private async runObject(object: BackfillObject, request: BackfillRequest): Promise<BackfillResult> {
    const options: ListingOptions = { full: request.full, since: request.since, onProgress: request.onProgress };
    switch (object) {
      case 'pipelines':
        return this.pipelines.run(options);
      case 'contacts':
        return this.listing.run(this.contacts, options);
      case 'opportunities':
        return this.listing.run(this.opportunities, options);
      case 'appointments':
        return this.listing.run(this.appointments, options);
    }
  }
}

/** How often a running backfill writes its progress to its run row. */
const PROGRESS_EVERY_MS = 1_000;

/**
 * A run's row in `backfill_runs` (the console's backfill page): started, its progress written at
 * most once a second, one write at a time, and its end, written after the last progress.
 */
class RecordedRun {
  private writes: Promise<void> = Promise.resolve();
  private lastWrittenAt = 0;

  private constructor(
    private readonly runs: BackfillRunsRepository,
    private readonly id: bigint,
    private readonly caller: BackfillRequest['onProgress'],
  ) {}

  static async start(runs: BackfillRunsRepository, locationId: string, object: string, request: BackfillRequest) {
    return new RecordedRun(runs, await runs.start(locationId, object, Boolean(request.full)), request.onProgress);
  }

  readonly onProgress = (progress: BackfillProgress): void => {
    this.caller?.(progress);
    if (Date.now() - this.lastWrittenAt < PROGRESS_EVERY_MS) return;
    this.lastWrittenAt = Date.now();
    this.writes = this.writes.then(() => this.runs.progress(this.id, progress)).catch(() => undefined);
  };

  async finish(outcome: Parameters<BackfillRunsRepository['finish']>[1]): Promise<void> {
    await this.writes;
    await this.runs.finish(this.id, outcome);
  }
}
