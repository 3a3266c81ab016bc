import { Injectable } from '@nestjs/common';
import type { Job } from 'pg-boss';
import type { PrismaTransaction } from '../database/prisma.service.js';
import { QueueProcessor, type JobProcessor } from '../queue/queue-processor.decorator.js';
import { QUEUES, type OutboundContactJob } from '../queue/queue.constants.js';
import { ContactOutboxRepository } from './contact-outbox.repository.js';
import { ContactPushService } from './contact-push.service.js';

/**
 * Runs `sync.outbound-contacts` jobs through ContactPushService; retries and dead letters are
 * QueueService's, as for inbound work. A dead-lettered contact's rows wait for the operator (the
 * relay's sweep leaves them), a replay makes them pending again, a discard closes them.
 */
@QueueProcessor(QUEUES.outboundContacts)
@Injectable()
export class OutboundContactsProcessor implements JobProcessor<OutboundContactJob> {
  constructor(
    private readonly push: ContactPushService,
    private readonly outbox: ContactOutboxRepository,
  ) {}

  async process(job: Job<OutboundContactJob>): Promise<void> {
    await this.push.push(job.data);
  }

  async deadLettered(data: OutboundContactJob, transaction: PrismaTransaction): Promise<void> {
    await this.outbox.markDeadLettered(data.contactId, transaction);
  }

  async replaying(data: OutboundContactJob, transaction: PrismaTransaction): Promise<void> {
    await this.outbox.reopenDeadLettered(data.contactId, transaction);
  }

  async discarded(data: OutboundContactJob, transaction: PrismaTransaction): Promise<void> {
    await this.outbox.closeDeadLettered(data.contactId, transaction);
  }
}
