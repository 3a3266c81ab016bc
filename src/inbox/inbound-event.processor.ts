import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'pg-boss';
import type { PrismaTransaction } from '../database/prisma.service.js';
import { SyncAnalytics } from '../observability/analytics/sync-analytics.service.js';
import { QueueProcessor, type JobProcessor } from '../queue/queue-processor.decorator.js';
import { QUEUES, type SyncJobData } from '../queue/queue.constants.js';
import { InboundHandlerRegistry } from './inbound-handler.registry.js';
import type { StoredInboundEvent } from './inbound-event.js';
import { InboxRepository } from './inbox.repository.js';

export interface InboundEventJob extends SyncJobData {
  readonly eventId: string;
}

/**
 * Runs one inbox event through the domain handler for its type; types nobody handles are IGNORED.
 * A dead-lettered event keeps its raw payload (for the replay) until it is replayed or discarded.
 */
@QueueProcessor(QUEUES.inboundEvents)
@Injectable()
export class InboundEventProcessor implements JobProcessor<InboundEventJob> {
  private readonly logger = new Logger(InboundEventProcessor.name);

  constructor(
    private readonly inbox: InboxRepository,
    private readonly handlers: InboundHandlerRegistry,
    private readonly analytics: SyncAnalytics,
  ) {}

  async process(job: Job<InboundEventJob>): Promise<void> {
    const event = await this.inbox.startAttempt(job.data.eventId);
    if (event === 'missing') {
      this.logger.warn({ eventId: job.data.eventId }, 'inbox event no longer exists; nothing to do');
      return;
    }
    if (event === 'processed') return;
    const handler = this.handlers.handlerFor(event.type);
    const outcome = handler ? await handler.handle(withDeliveryTime(event)) : 'IGNORED';
    await this.inbox.markProcessed(event.id, outcome);
    this.logger.log({ eventId: event.id, eventType: event.type, outcome }, 'inbound event processed');
    this.analytics.ok(
      { eventType: event.type, locationId: event.locationId, correlationId: event.correlationId },
      outcome === 'APPLIED' ? 'applied' : outcome === 'STALE' ? 'stale' : 'ignored',
    );
  }

  async deadLettered(data: InboundEventJob, transaction: PrismaTransaction): Promise<void> {
    await this.inbox.markOutcome(data.eventId, 'DEAD_LETTERED', transaction);
  }

  async replaying(data: InboundEventJob, transaction: PrismaTransaction): Promise<void> {
    await this.inbox.markOutcome(data.eventId, 'PENDING', transaction);
  }

  async discarded(data: InboundEventJob, transaction: PrismaTransaction): Promise<void> {
    await this.inbox.markOutcome(data.eventId, 'FAILED', transaction);
  }
}

/**
 * The event as its handler sees it. A delivery without `timestamp` (accepted: HighLevel's published
 * webhook examples carry none, ADR 0006) gets the inbox's receipt time in its place, so every
 * mapper orders it by `dateUpdated` where the body has one, else by receipt, instead of failing.
 * The stored payload stays exactly as received.
 */
function withDeliveryTime(event: StoredInboundEvent): StoredInboundEvent {
  if (typeof event.payload.timestamp === 'string') return event;
  return { ...event, payload: { ...event.payload, timestamp: event.receivedAt.toISOString() } };
}
