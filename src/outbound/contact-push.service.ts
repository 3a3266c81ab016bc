import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'pg-boss';
import { AppConfig } from '../config/app-config.js';
import { PrismaService } from '../database/prisma.service.js';
import type { OutboundContactJob } from '../queue/queue.constants.js';
import { ContactOutboxRepository } from './contact-outbox.repository.js';

/**
 * Pushes one contact's TrainU-side changes to GHL. A placeholder until the push itself is built:
 * it reads the contact's pending outbox rows, logs what they say and marks them pushed, so the
 * capture and relay run end to end (ADR 0019). The push replaces this body; its contract is the
 * job (one per contact at a time, in order) and ContactOutboxRepository's pendingChanges/markPushed.
 */
@Injectable()
export class ContactPushService {
  private readonly logger = new Logger(ContactPushService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly outbox: ContactOutboxRepository,
  ) {}

  async push(job: Job<OutboundContactJob>): Promise<void> {
    const { contactId } = job.data;
    await this.prisma.inPlainTransaction(async (client) => {
      const pending = await this.outbox.pendingChanges(contactId, client);
      this.logger.log(
        {
          contactId,
          mode: this.config.outbound.mode,
          rows: pending.rowIds.length,
          ops: [...pending.ops],
          fields: [...pending.changedAt.keys()],
        },
        'outbound push not built yet: pending outbox rows marked pushed, nothing sent to GHL',
      );
      await this.outbox.markPushed(pending.rowIds, client);
    });
  }
}
