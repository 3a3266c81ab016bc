import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import type { BackfillJobData } from '../../backfill/backfill.processor.js';
import { BackfillRunsRepository } from '../../backfill/backfill-runs.repository.js';
import { BACKFILL_OBJECTS } from '../../backfill/backfill.service.js';
import { SyncCursorsRepository } from '../../backfill/sync-cursors.repository.js';
import { AppConfig } from '../../config/app-config.js';
import { jobIdFor } from '../../queue/job-id.js';
import { QUEUES } from '../../queue/queue.constants.js';
import { QueueService } from '../../queue/queue.service.js';
import {
  BackfillObjectStatus,
  backfillRunViewOf,
  StartBackfillArgs,
  StartedBackfill,
} from './backfill-status.model.js';

/** The backfill's state per object, and starting a run from the API (the console's backfill page). */
@Resolver(() => BackfillObjectStatus)
export class BackfillStatusResolver {
  constructor(
    private readonly config: AppConfig,
    private readonly cursors: SyncCursorsRepository,
    private readonly runs: BackfillRunsRepository,
    private readonly queue: QueueService,
  ) {}

  @Query(() => [BackfillObjectStatus], {
    description: "Each object's checkpoint and latest run, for GHL_LOCATION_ID; empty where GHL is not configured.",
  })
  async backfillStatus(): Promise<BackfillObjectStatus[]> {
    const locationId = this.config.ghl.locationId;
    if (!this.config.backfillsFromGhl || !locationId) return [];
    const runs = await this.runs.latestOf(locationId, BACKFILL_OBJECTS);
    return Promise.all(
      BACKFILL_OBJECTS.map(async (object) => {
        const cursor = await this.cursors.find(locationId, object);
        const run = runs.find((each) => each.object === object);
        return {
          object,
          checkpoint: cursor?.cursor ? JSON.stringify(cursor.cursor) : null,
          lastCompletedAt: cursor?.lastCompletedAt ?? null,
          lastError: cursor?.lastError ?? null,
          lastRun: run ? backfillRunViewOf(run) : null,
        };
      }),
    );
  }

  @Mutation(() => StartedBackfill, {
    description:
      'Enqueues a backfill run as BACKFILL_CRON does: the same kind of run from any instance within a minute is one job, and each object runs once at a time across instances.',
  })
  async startBackfill(@Args() { full, objects }: StartBackfillArgs): Promise<StartedBackfill> {
    if (!this.config.backfillsFromGhl) {
      throw new GraphQLError('the backfill needs GHL_LOCATION_ID and GHL_PRIVATE_INTEGRATION_TOKEN', {
        extensions: { code: 'FAILED_PRECONDITION' },
      });
    }
    const minute = new Date().toISOString().slice(0, 16);
    const chosen = objects ? BACKFILL_OBJECTS.filter((object) => objects.includes(object)) : undefined;
    const kind = `${full ? 'full' : 'incremental'}:${chosen?.join('+') ?? 'all'}`;
    const data: BackfillJobData = {
      correlationId: `backfill:api:${kind}:${minute}`,
      full,
      ...(chosen && { objects: chosen }),
    };
    const jobId = await this.queue.send(QUEUES.backfill, data, { id: jobIdFor(`backfill:api:${kind}:${minute}`) });
    return { jobId, alreadyEnqueued: jobId === null };
  }
}
