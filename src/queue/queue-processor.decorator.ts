import { DiscoveryService } from '@nestjs/core';
import type { Job } from 'pg-boss';
import type { PrismaTransaction } from '../database/prisma.service.js';
import type { QueueName, SyncJobData } from './queue.constants.js';

/** Marks the provider that processes one queue's jobs. QueueService finds it at boot. */
export const QueueProcessor = DiscoveryService.createDecorator<QueueName>();

export interface JobProcessor<TData extends SyncJobData = SyncJobData> {
  process(job: Job<TData>): Promise<void>;
  /**
   * Optional: runs several jobs of one fetch together, all or nothing, and returns those it left
   * for `process`. When it throws, nothing of it is kept and each job goes through `process`.
   */
  processBatch?(jobs: Job<TData>[]): Promise<Job<TData>[]>;
  /** The job is going to dead letters, in `transaction`: record that where the domain keeps its state. */
  deadLettered?(data: TData, transaction: PrismaTransaction): Promise<void>;
  /** A dead letter of this queue is being replayed, in `transaction`: make its work runnable again. */
  replaying?(data: TData, transaction: PrismaTransaction): Promise<void>;
  /** A dead letter of this queue is being discarded, in `transaction`: close its work for good. */
  discarded?(data: TData, transaction: PrismaTransaction): Promise<void>;
}
