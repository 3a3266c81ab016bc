import { DiscoveryService } from '@nestjs/core';
import type { Job } from 'pg-boss';
import type { QueueName, SyncJobData } from './queue.constants.js';

/** Marks the provider that processes one queue's jobs. QueueService finds it at boot. */
export const QueueProcessor = DiscoveryService.createDecorator<QueueName>();

export interface JobProcessor<TData extends SyncJobData = SyncJobData> {
  process(job: Job<TData>): Promise<void>;
}
