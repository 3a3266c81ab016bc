import { Injectable } from '@nestjs/common';
import { SyncCursorsRepository } from '../backfill/sync-cursors.repository.js';
import { DeadLettersRepository } from '../dlq/dead-letters.repository.js';
import { InboxRepository } from '../inbox/inbox.repository.js';
import { ContactOutboxRepository } from '../outbound/contact-outbox.repository.js';
import { QueueService } from '../queue/queue.service.js';
import type { SyncStatus } from './models/sync-status.model.js';

const ONE_HOUR_MS = 3_600_000;

@Injectable()
export class SyncStatusService {
  constructor(
    private readonly queue: QueueService,
    private readonly inbox: InboxRepository,
    private readonly deadLetters: DeadLettersRepository,
    private readonly cursors: SyncCursorsRepository,
    private readonly outbox: ContactOutboxRepository,
  ) {}

  async current(now = new Date()): Promise<SyncStatus> {
    const [
      jobsWaiting,
      awaitingRelay,
      deadLettersOpen,
      lastWebhookAt,
      lastBackfillAt,
      eventsProcessedLastHour,
      outboxPending,
    ] = await Promise.all([
      this.queue.depth(),
      this.inbox.countAwaitingRelay(),
      this.deadLetters.countOpen(),
      this.inbox.lastReceivedAt(),
      this.cursors.lastCompletedAt(),
      this.inbox.countProcessedSince(new Date(now.getTime() - ONE_HOUR_MS)),
      this.outbox.countPending(),
    ]);
    return {
      // Inbox rows the relay has not enqueued yet are waiting work too (ADR 0017).
      queueDepth: jobsWaiting + awaitingRelay,
      deadLettersOpen,
      lastWebhookAt: lastWebhookAt ?? null,
      lastBackfillAt: lastBackfillAt ?? null,
      eventsProcessedLastHour,
      outboxPending,
    };
  }
}
