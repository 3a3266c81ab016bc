import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { QueueProcessor, type JobProcessor } from '../queue/queue-processor.decorator.js';
import { QUEUES } from '../queue/queue.constants.js';
import { InboxRepository } from './inbox.repository.js';
import { IntakeDuplicatesRepository } from './intake-duplicates.repository.js';
import { retentionCutoff } from '../common/retention.js';

/** The console charts 24 h of duplicate deliveries; two days of counts leave a margin. */
const DUPLICATE_COUNTS_KEPT_MS = 2 * 86_400_000;

/**
 * Keeps personal data in the inbox only as long as needed: once an event is processed and
 * INBOX_RETENTION_DAYS have passed, its raw body goes. The row stays, so its idempotency key still
 * turns away a late duplicate delivery. Dead-lettered events keep theirs until replayed or discarded.
 * The per-minute counts of duplicate deliveries go after two days.
 */
@QueueProcessor(QUEUES.inboxRetention)
@Injectable()
export class InboxRetentionProcessor implements JobProcessor {
  private readonly logger = new Logger(InboxRetentionProcessor.name);

  constructor(
    private readonly inbox: InboxRepository,
    private readonly duplicates: IntakeDuplicatesRepository,
    private readonly config: AppConfig,
  ) {}

  async process(): Promise<void> {
    const processedBefore = retentionCutoff(this.config.sync.inboxRetentionDays);
    const purged = await this.inbox.purgePayloads(processedBefore);
    this.logger.log({ purged, processedBefore }, 'purged raw payloads from processed inbox events');
    const countedBefore = new Date(Date.now() - DUPLICATE_COUNTS_KEPT_MS);
    const dropped = await this.duplicates.purgeBefore(countedBefore);
    this.logger.log({ dropped, countedBefore }, 'dropped old per-minute duplicate counts');
  }
}
