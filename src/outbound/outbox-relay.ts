import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { JobInsert } from 'pg-boss';
import { AppConfig } from '../config/app-config.js';
import { PrismaService, type SqlClient } from '../database/prisma.service.js';
import { OUTBOUND_START_DELAY_SECONDS, QUEUES, type OutboundContactJob } from '../queue/queue.constants.js';
import { QueueService } from '../queue/queue.service.js';
import { RELAY_TRANSACTION_LIMITS, RelayLoop } from '../queue/relay-loop.js';
import { ContactOutboxRepository, type ClaimedContact, type ClaimedRows } from './contact-outbox.repository.js';
import { OUTBOUND_EVENT_TYPE } from './outbound-event-type.js';

/** Outbox rows one relay transaction claims. */
export const OUTBOX_RELAY_BATCH_SIZE = 500;
/** The relay polls (the triggers send no NOTIFY: it would serialise TrainU's commits, ADR 0017). */
export const OUTBOX_RELAY_POLL_INTERVAL_MS = 500;
/** Queued this long and still not pushed: the sweep sends the contact's job again. */
export const OUTBOX_SWEEP_AFTER_SECONDS = 300;
const OUTBOX_SWEEP_INTERVAL_MS = 60_000;

/**
 * Moves contact outbox rows into `sync.outbound-contacts` (ADR 0019), as the inbox relay does for
 * the inbox (ADR 0017): one transaction claims rows not yet queued (SKIP LOCKED), inserts one job
 * per distinct contact through it and marks the rows queued. Rolled back, the rows wait and no job
 * exists. The queue's `stately` policy keeps one job per contact queued: a send while one waits is
 * dropped, and the waiting job reads every pending row of its contact when it runs.
 *
 * A sweep every minute claims rows queued five minutes ago and still not pushed (their job lost,
 * or dropped for one that has since failed) and sends their contact's job again, so no change waits
 * for ever. Runs where workers run and OUTBOUND_MODE is not off.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly relay = new RelayLoop(this.logger, 'the outbox relay could not enqueue a batch', {
    batchSize: OUTBOX_RELAY_BATCH_SIZE,
    pollIntervalMs: OUTBOX_RELAY_POLL_INTERVAL_MS,
    relayBatch: () => this.relayBatch(),
  });
  private readonly sweep = new RelayLoop(this.logger, 'the outbox sweep could not enqueue a batch', {
    batchSize: OUTBOX_RELAY_BATCH_SIZE,
    pollIntervalMs: OUTBOX_SWEEP_INTERVAL_MS,
    relayBatch: () => this.sweepBatch(),
    afterBatch: (moved) =>
      this.logger.warn({ rows: moved }, 'outbox rows queued long ago and not pushed: queued again'),
  });

  constructor(
    private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly outbox: ContactOutboxRepository,
    private readonly queue: QueueService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.runsWorkers || !this.config.syncsOutbound) return;
    if (!this.config.pushesToGhl) {
      this.logger.warn('OUTBOUND_MODE=shadow: each TrainU change is planned and recorded, nothing is sent to GHL');
    }
    this.relay.start();
    this.sweep.start();
    this.logger.log(
      { mode: this.config.outbound.mode, pollIntervalMs: OUTBOX_RELAY_POLL_INTERVAL_MS },
      'outbox relay started',
    );
  }

  /** Before pg-boss stops (QueueModule is global): the batches in hand end first. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.relay.stop(), this.sweep.stop()]);
  }

  /** Claims rows not yet queued and sends their contacts' jobs: the number of rows claimed (tests, and the loop). */
  async relayBatch(limit = OUTBOX_RELAY_BATCH_SIZE): Promise<number> {
    const pushing = this.config.pushesToGhl;
    return this.inRelayTransaction((client) => this.outbox.takeAwaitingRelay(limit, client, { pushing }));
  }

  /** Claims rows queued too long ago and not pushed, and sends their contacts' jobs again: the number of rows. */
  async sweepBatch(olderThanSeconds = OUTBOX_SWEEP_AFTER_SECONDS, limit = OUTBOX_RELAY_BATCH_SIZE): Promise<number> {
    const pushing = this.config.pushesToGhl;
    return this.inRelayTransaction((client) => this.outbox.takeStale(olderThanSeconds, limit, client, { pushing }));
  }

  private async inRelayTransaction(claim: (client: SqlClient) => Promise<ClaimedRows>): Promise<number> {
    return this.prisma.inPlainTransaction(async (transaction) => {
      const claimed = await claim(transaction);
      if (claimed.contacts.length > 0) {
        await this.queue.insert(QUEUES.outboundContacts, claimed.contacts.map(jobOf), { transaction });
      }
      return claimed.rows;
    }, RELAY_TRANSACTION_LIMITS);
  }
}

/** A contact's job; its singletonKey (the contact) is the queue's (QueueDefinition.singletonKeyOf). */
function jobOf({ contactId, firstRowId }: ClaimedContact): JobInsert<OutboundContactJob> {
  return {
    data: { contactId, correlationId: `outbox:${firstRowId}`, eventType: OUTBOUND_EVENT_TYPE, direction: 'outbound' },
    startAfter: OUTBOUND_START_DELAY_SECONDS,
  };
}
