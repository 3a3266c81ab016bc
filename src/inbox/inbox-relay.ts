import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { JobInsert } from 'pg-boss';
import { errorSummary } from '../common/error-summary.js';
import { AppConfig } from '../config/app-config.js';
import { PrismaService } from '../database/prisma.service.js';
import { QUEUES } from '../queue/queue.constants.js';
import { QueueService } from '../queue/queue.service.js';
import { RELAY_TRANSACTION_LIMITS, RelayLoop } from '../queue/relay-loop.js';
import type { InboundEventJob } from './inbound-event.processor.js';
import { InboxRepository, type AwaitingRelayRow } from './inbox.repository.js';

/** The channel the intake NOTIFYs after it stored rows for the relay (InboxRelayNotifier). */
export const INBOX_RELAY_CHANNEL = 'ghl_sync_inbox_relay';

/** Rows one relay transaction moves into the queue; while batches come back full it goes on at once. */
export const RELAY_BATCH_SIZE = 200;
/** Longest the relay sleeps without a notification: a missed NOTIFY costs at most this (ADR 0017). */
export const RELAY_POLL_INTERVAL_MS = 250;
/** How often to try LISTEN again while it is not established (its first connection failed). */
const LISTEN_RETRY_MS = 10_000;

/**
 * Moves inbox rows the intake stored (`queued_at` NULL) into pg-boss, in batches (ADR 0017): one
 * transaction takes the oldest waiting rows (SKIP LOCKED, so the relays of several worker
 * processes never take the same row), inserts their jobs through pg-boss's batch insert on that
 * transaction and marks the rows queued. Committed, every row has exactly one job; rolled back
 * (any failure, a connection lost mid-batch), the rows wait for the next batch and no job exists.
 *
 * Runs where workers run (SERVICE_ROLE `all`, `worker`). It wakes on the intake's NOTIFY and polls
 * every 250 ms besides, so a lost notification, or a pooler that cannot LISTEN, costs at most that.
 */
@Injectable()
export class InboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(InboxRelay.name);
  private readonly loop = new RelayLoop(this.logger, 'the inbox relay could not enqueue a batch', {
    batchSize: RELAY_BATCH_SIZE,
    pollIntervalMs: RELAY_POLL_INTERVAL_MS,
    relayBatch: () => this.relayBatch(),
    beforeBatch: () => this.listenIfNot(),
    afterBatch: (moved) => {
      this.logger.debug({ moved }, 'inbox rows relayed to the queue');
      // This process's workers fetch them now instead of at their next poll (0.5 s).
      this.queue.wakeWorkers(QUEUES.inboundEvents, moved);
    },
  });
  private listening: { close(): Promise<void> } | undefined;
  private listenTriedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly inbox: InboxRepository,
    private readonly queue: QueueService,
  ) {}

  /** After QueueService has started pg-boss and created the queues (its module initialises first). */
  onApplicationBootstrap(): void {
    if (!this.config.runsWorkers) return;
    this.loop.start();
    this.logger.log({ batchSize: RELAY_BATCH_SIZE, pollIntervalMs: RELAY_POLL_INTERVAL_MS }, 'inbox relay started');
  }

  /** Before pg-boss stops (QueueModule is global, so its hooks run after this module's): the batch in hand ends first. */
  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
    await this.listening?.close();
    this.listening = undefined;
  }

  /** Runs one batch now: the number of rows moved into the queue (tests, and the loop). */
  async relayBatch(limit = RELAY_BATCH_SIZE): Promise<number> {
    return this.prisma.inPlainTransaction(async (transaction) => {
      const rows = await this.inbox.takeAwaitingRelay(limit, transaction);
      if (rows.length === 0) return 0;
      await this.queue.insert(QUEUES.inboundEvents, rows.map(jobOf), { transaction });
      return rows.length;
    }, RELAY_TRANSACTION_LIMITS);
  }

  /**
   * LISTEN is a help, not a need: without it (first connection failed, or a transaction pooler that
   * cannot hold a session) the relay polls. Once established, pg-boss's listener reconnects itself.
   */
  private listenIfNot(): void {
    if (this.listening || Date.now() - this.listenTriedAt < LISTEN_RETRY_MS) return;
    this.listenTriedAt = Date.now();
    const wake = () => this.loop.wake();
    this.queue.listen(INBOX_RELAY_CHANNEL, wake, wake).then(
      async (handle) => {
        if (this.loop.stopped) await handle.close();
        else this.listening = handle;
      },
      (error: unknown) =>
        this.logger.warn(
          { ...errorSummary(error), retryInMs: LISTEN_RETRY_MS, pollIntervalMs: RELAY_POLL_INTERVAL_MS },
          'the inbox relay could not LISTEN; it polls meanwhile',
        ),
    );
  }
}

/**
 * The processing job of a row, as the intake sent it before ADR 0017 (same data). Its id is the
 * row's id, so even a second insert for a row could not make a second job while the first is kept.
 */
function jobOf(row: AwaitingRelayRow): JobInsert<InboundEventJob> {
  return {
    id: row.id,
    data: {
      eventId: row.id,
      correlationId: row.correlation_id,
      eventType: row.type,
      locationId: row.location_id ?? undefined,
      idempotencyKey: row.idempotency_key,
    },
  };
}
