import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { PrismaService } from '../database/prisma.service.js';
import { QueueProcessor, type JobProcessor } from '../queue/queue-processor.decorator.js';
import { QUEUES } from '../queue/queue.constants.js';
import { retentionCutoff } from '../common/retention.js';

/** Rows one DELETE removes, so a large backlog never holds one long transaction. */
const PURGE_BATCH = 10_000;

/**
 * The outbound ledgers' retention, hourly: echo entries past their expiry go (they hold the values
 * we wrote: names, emails, phones, ADR 0022), and outbox rows pushed more than INBOX_RETENTION_DAYS
 * ago (ids and field names only; without this the outbox would only grow), outbound plans made
 * more than INBOX_RETENTION_DAYS ago (they hold values, ADR 0024), and write log entries as old
 * but deletes. Rows not pushed, or dead-lettered, stay until they are.
 */
@QueueProcessor(QUEUES.outboundRetention)
@Injectable()
export class OutboundRetentionProcessor implements JobProcessor {
  private readonly logger = new Logger(OutboundRetentionProcessor.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
  ) {}

  async process(): Promise<void> {
    const pushedBefore = retentionCutoff(this.config.sync.inboxRetentionDays);
    const echoes = await this.purgeInBatches(
      `DELETE FROM ghl_sync.outbound_echoes WHERE id IN (
         SELECT id FROM ghl_sync.outbound_echoes WHERE expires_at < now() LIMIT $1)`,
      [],
    );
    const outboxRows = await this.purgeInBatches(
      `DELETE FROM ghl_sync.contact_outbox WHERE id IN (
         SELECT id FROM ghl_sync.contact_outbox WHERE pushed_at < $2 LIMIT $1)`,
      [pushedBefore],
    );
    const plans = await this.purgeInBatches(
      `DELETE FROM ghl_sync.outbound_plans WHERE id IN (
         SELECT id FROM ghl_sync.outbound_plans WHERE planned_at < $2 LIMIT $1)`,
      [pushedBefore],
    );
    // A delete is kept: it is how a later edit of the contact knows GHL no longer has it.
    const writes = await this.purgeInBatches(
      `DELETE FROM ghl_sync.outbound_writes WHERE id IN (
         SELECT id FROM ghl_sync.outbound_writes WHERE written_at < $2 AND action <> 'delete' LIMIT $1)`,
      [pushedBefore],
    );
    this.logger.log(
      { echoes, outboxRows, plans, writes, pushedBefore },
      'purged expired echoes, pushed outbox rows, old outbound plans and old write log entries',
    );
  }

  private async purgeInBatches(statement: string, values: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.prisma.inPlainTransaction(
        async (client) => (await client.query(statement, [PURGE_BATCH, ...values])).rowCount ?? 0,
      );
      total += deleted;
      if (deleted < PURGE_BATCH) return total;
    }
  }
}
