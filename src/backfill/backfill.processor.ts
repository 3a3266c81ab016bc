import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'pg-boss';
import { QueueProcessor, type JobProcessor } from '../queue/queue-processor.decorator.js';
import { QUEUES, type SyncJobData } from '../queue/queue.constants.js';
import { BackfillService, type BackfillObject } from './backfill.service.js';

export interface BackfillJobData extends SyncJobData {
  readonly full?: boolean;
  readonly objects?: BackfillObject[];
}

/**
 * Runs an enqueued backfill (BACKFILL_CRON's, or anyone's) in whichever worker takes the job. If an
 * object failed the job fails, and pg-boss's retry resumes it from the checkpoints.
 */
@QueueProcessor(QUEUES.backfill)
@Injectable()
export class BackfillProcessor implements JobProcessor<BackfillJobData> {
  private readonly logger = new Logger(BackfillProcessor.name);

  constructor(private readonly backfill: BackfillService) {}

  async process(job: Job<BackfillJobData>): Promise<void> {
    const outcomes = await this.backfill.run({ full: job.data.full, objects: job.data.objects });
    this.logger.log({ correlationId: job.data.correlationId, outcomes }, 'backfill job finished');
    const failed = outcomes.filter((outcome) => outcome.status === 'failed');
    if (failed.length > 0) {
      throw new Error(
        `backfill failed for ${failed.map((outcome) => `${outcome.object}: ${outcome.error}`).join('; ')}`,
      );
    }
  }
}
