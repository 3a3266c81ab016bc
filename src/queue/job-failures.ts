import { Logger } from '@nestjs/common';
import { fromPrisma, type Job, type PgBoss } from 'pg-boss';
import type { PrismaService } from '../database/prisma.service.js';
import type { DeadLettersRepository } from '../dlq/dead-letters.repository.js';
import { classifyFailure, playbookFileOf } from '../dlq/sync-errors.js';
import type { SyncAnalytics, SyncEventContext } from '../observability/analytics/sync-analytics.service.js';
import { jobIdFor } from './job-id.js';
import type { JobProcessor } from './queue-processor.decorator.js';
import type { QueueDefinition, SyncJobData } from './queue.constants.js';
import { nextStepAfter } from './retry-schedule.js';

const STACK_LINES = 12;

/**
 * Settles a failed attempt of a sync job: either the next attempt on the schedule, or a dead letter.
 * The follow-up (retry job, or dead-letter row) and the completion of the failed job commit in one
 * transaction, so a crash can neither lose the retry nor make two: before the commit, the failed
 * job is still active and pg-boss recovers it; after it, the retry exists once (its id is derived
 * from the chain and the attempt number, so a second send of it is ignored).
 */
export class JobFailures {
  private readonly logger = new Logger(JobFailures.name);

  constructor(
    private readonly boss: PgBoss,
    private readonly prisma: PrismaService,
    private readonly deadLetters: DeadLettersRepository,
    private readonly analytics: SyncAnalytics,
    private readonly retryDelaysSeconds: readonly number[],
  ) {}

  async settle(
    definition: QueueDefinition,
    processor: JobProcessor,
    job: Job<SyncJobData>,
    error: unknown,
  ): Promise<void> {
    const queue = definition.name;
    const failure = classifyFailure(error);
    // A run pg-boss recovered after a crash counts as an attempt of its own.
    const attempt = (job.data.attempt ?? 1) + job.retryCount;
    const step = nextStepAfter(failure, attempt, this.retryDelaysSeconds);
    const failedAt = new Date();
    const chain = {
      rootJobId: job.data.rootJobId ?? job.id,
      firstFailedAt: job.data.firstFailedAt ?? failedAt.toISOString(),
    };
    const context: SyncEventContext = {
      eventType: job.data.eventType ?? queue,
      locationId: job.data.locationId,
      correlationId: job.data.correlationId,
      direction: job.data.direction,
    };
    const reason = error instanceof Error ? error.message : String(error);

    if (step.kind === 'retry') {
      const runAt = new Date(failedAt.getTime() + step.delaySeconds * 1000);
      await this.prisma.$transaction(async (transaction) => {
        const db = fromPrisma(transaction);
        await this.boss.send(
          queue,
          { ...job.data, ...chain, attempt: step.attempt },
          {
            id: jobIdFor(`${chain.rootJobId}:${step.attempt}`),
            startAfter: runAt,
            singletonKey: definition.singletonKeyOf?.(job.data),
            db,
          },
        );
        await this.boss.complete(queue, job, { failed: reason, retryAt: runAt.toISOString() }, { db });
      });
      this.logger.warn(
        {
          err: error,
          attempt,
          errorClass: failure.errorClass,
          nextAttempt: step.attempt,
          delaySeconds: step.delaySeconds,
          runAt,
        },
        'sync attempt failed; retry scheduled',
      );
      this.analytics.retry(context, {
        attempt: step.attempt,
        delaySeconds: step.delaySeconds,
        errorClass: failure.errorClass,
      });
      return;
    }

    await this.prisma.$transaction(async (transaction) => {
      await this.deadLetters.insert(
        {
          queue,
          jobId: chain.rootJobId,
          idempotencyKey: job.data.idempotencyKey ?? null,
          correlationId: job.data.correlationId,
          payload: { ...job.data, ...chain, attempt },
          errorClass: failure.errorClass,
          reason,
          stack: trimmedStack(error),
          playbook: playbookFileOf(failure.errorClass),
          attempts: step.attempts,
          firstFailedAt: new Date(chain.firstFailedAt),
          lastFailedAt: failedAt,
        },
        transaction,
      );
      await processor.deadLettered?.(job.data, transaction);
      await this.boss.complete(queue, job, { failed: reason, deadLettered: true }, { db: fromPrisma(transaction) });
    });
    this.logger.error(
      { err: error, attempts: step.attempts, errorClass: failure.errorClass, why: step.why },
      'sync job dead-lettered',
    );
    this.analytics.dropped(context, { reason: 'dead_lettered', errorClass: failure.errorClass });
  }
}

function trimmedStack(error: unknown): string | null {
  return error instanceof Error && error.stack ? error.stack.split('\n').slice(0, STACK_LINES).join('\n') : null;
}
