import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { QueueProcessor, type JobProcessor } from '../queue/queue-processor.decorator.js';
import { QUEUES } from '../queue/queue.constants.js';
import { InboxRepository } from './inbox.repository.js';
import { retentionCutoff } from '../common/retention.js';

/**
 * Keeps personal data in the inbox only as long as needed: once an event is processed and
 * INBOX_RETENTION_DAYS have passed, its raw body goes. The row stays, so its idempotency key still
 * turns away a late duplicate delivery. Dead-lettered events keep theirs until replayed or discarded.
 */
@QueueProcessor(QUEUES.inboxRetention)
@Injectable()
export class InboxRetentionProcessor implements JobProcessor {
  private readonly logger = new Logger(InboxRetentionProcessor.name);

  constructor(
    private readonly inbox: InboxRepository,
    private readonly config: AppConfig,
  ) {}

  async process(): Promise<void> {
    const processedBefore = retentionCutoff(this.config.sync.inboxRetentionDays);
    const purged = await this.inbox.purgePayloads(processedBefore);
    this.logger.log({ purged, processedBefore }, 'purged raw payloads from processed inbox events');
  }
}
