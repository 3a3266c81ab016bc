import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config.js';
import { DatabaseAvailability } from '../database/database-availability.js';
import { jobIdFor } from '../queue/job-id.js';
import { QUEUES } from '../queue/queue.constants.js';
import { QueueService } from '../queue/queue.service.js';
import type { BackfillJobData } from './backfill.processor.js';

const CRON_JOB_NAME = 'backfill';

/**
 * BACKFILL_CRON (default nightly, UTC) in every worker process, through @nestjs/schedule. A tick
 * only enqueues a full backfill (the sweep that also finds records deleted in GHL without an
 * event), under a job id derived from the tick's minute: every instance ticks, pg-boss keeps one
 * job, and one worker runs it.
 */
@Injectable()
export class BackfillScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BackfillScheduler.name);

  constructor(
    private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly queue: QueueService,
    private readonly database: DatabaseAvailability,
  ) {}

  onApplicationBootstrap(): void {
    const cron = this.config.sync.backfillCron;
    if (!this.config.runsWorkers || !cron) return;
    const job = CronJob.from({
      cronTime: cron,
      timeZone: 'UTC',
      // A tick during an outage enqueues once the database is back (the same job id, so once).
      onTick: async () => {
        const tickedAt = new Date();
        await this.database.retriedThroughOutages(() => this.enqueue(tickedAt), { cron: CRON_JOB_NAME });
      },
      errorHandler: (error) => this.logger.error({ err: error }, 'could not enqueue the scheduled backfill'),
    });
    this.registry.addCronJob(CRON_JOB_NAME, job);
    job.start();
    this.logger.log({ cron, next: job.nextDate().toISO() }, 'backfill scheduled');
  }

  onModuleDestroy(): void {
    if (this.registry.doesExist('cron', CRON_JOB_NAME)) this.registry.deleteCronJob(CRON_JOB_NAME);
  }

  /** Enqueues the tick's backfill; the same minute from any instance is the same job. Returns its id, or null if already there. */
  async enqueue(tickedAt: Date): Promise<string | null> {
    const minute = tickedAt.toISOString().slice(0, 16);
    const data: BackfillJobData = { correlationId: `backfill:cron:${minute}`, full: true };
    const id = await this.queue.send(QUEUES.backfill, data, { id: jobIdFor(`backfill:cron:${minute}`) });
    this.logger.log(
      { minute, enqueued: id !== null },
      id ? 'backfill enqueued' : 'backfill of this tick already enqueued',
    );
    return id;
  }
}
