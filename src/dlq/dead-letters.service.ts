import { Injectable, Logger } from '@nestjs/common';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import { SyncAnalytics } from '../observability/analytics/sync-analytics.service.js';
import { jobIdFor } from '../queue/job-id.js';
import type { QueueName, SyncJobData } from '../queue/queue.constants.js';
import { QueueService } from '../queue/queue.service.js';
import { DeadLetterError, DeadLetterErrorCode } from './dead-letter.errors.js';
import { DeadLettersRepository, type DeadLetterRow } from './dead-letters.repository.js';

/**
 * Operator actions on dead letters. Each runs in one transaction holding the row's lock, so two
 * concurrent replays of one letter send one job, and the job exists if and only if the letter
 * says REPLAYED.
 */
@Injectable()
export class DeadLettersService {
  private readonly logger = new Logger(DeadLettersService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly deadLetters: DeadLettersRepository,
    private readonly queue: QueueService,
    private readonly analytics: SyncAnalytics,
  ) {}

  /**
   * Puts the job back on its queue as a first attempt, with its idempotency key and correlation id.
   * Replaying a letter already replayed returns it unchanged.
   */
  async replay(id: string, by: string): Promise<DeadLetterRow> {
    return this.prisma.$transaction(async (transaction) => {
      const letter = await this.openLetter(id, 'REPLAYED', transaction);
      if (letter.status !== 'OPEN') return letter;
      const data = letter.payload as unknown as SyncJobData;
      const jobId = jobIdFor(`replay:${letter.id}`);
      const fresh: SyncJobData = { ...data, attempt: 1, rootJobId: jobId, firstFailedAt: undefined };
      await this.queue.send(letter.queue as QueueName, fresh, { id: jobId, transaction });
      await this.queue.processorFor(letter.queue)?.replaying?.(data, transaction);
      this.logger.log({ deadLetterId: id, jobId, by }, 'dead letter replayed');
      return this.deadLetters.resolve(id, { status: 'REPLAYED', resolvedBy: by }, transaction);
    });
  }

  /** Closes the letter for good, with the operator's reason. Discarding it again returns it unchanged. */
  async discard(id: string, reason: string | undefined, by: string): Promise<DeadLetterRow> {
    const note = reason?.trim();
    if (!note)
      throw new DeadLetterError(DeadLetterErrorCode.ReasonRequired, 'Discarding a dead letter needs a reason.');
    const letter = await this.prisma.$transaction(async (transaction) => {
      const open = await this.openLetter(id, 'DISCARDED', transaction);
      if (open.status !== 'OPEN') return { row: open, discarded: false };
      const data = open.payload as unknown as SyncJobData;
      await this.queue.processorFor(open.queue)?.discarded?.(data, transaction);
      const row = await this.deadLetters.resolve(id, { status: 'DISCARDED', resolvedBy: by, note }, transaction);
      return { row, discarded: true };
    });
    if (letter.discarded) {
      const data = letter.row.payload as unknown as SyncJobData;
      this.logger.log({ deadLetterId: id, by }, 'dead letter discarded');
      this.analytics.dropped(
        {
          eventType: data.eventType ?? letter.row.queue,
          locationId: data.locationId,
          correlationId: data.correlationId,
          direction: data.direction,
        },
        { reason: 'discarded', errorClass: letter.row.errorClass },
      );
    }
    return letter.row;
  }

  /** The locked row; one already resolved the other way is refused. */
  private async openLetter(
    id: string,
    target: 'REPLAYED' | 'DISCARDED',
    transaction: PrismaTransaction,
  ): Promise<DeadLetterRow> {
    const letter = await this.deadLetters.findByIdForUpdate(id, transaction);
    if (!letter) throw new DeadLetterError(DeadLetterErrorCode.NotFound, `No dead letter ${id}.`);
    if (letter.status !== 'OPEN' && letter.status !== target) {
      throw new DeadLetterError(
        DeadLetterErrorCode.AlreadyResolved,
        `Dead letter ${id} is ${letter.status}; only an OPEN one can be ${target.toLowerCase()}.`,
      );
    }
    return letter;
  }
}
