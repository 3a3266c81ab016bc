import { Injectable, Logger } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Job } from 'pg-boss';
import { PrismaService, type PrismaTransaction, type SqlClient } from '../database/prisma.service.js';
import type { SyncEventOutcome } from '../generated/prisma/enums.js';
import { SyncAnalytics } from '../observability/analytics/sync-analytics.service.js';
import { CORRELATION_LOG_KEY } from '../observability/logging/correlation-id.js';
import { QueueProcessor, type JobProcessor } from '../queue/queue-processor.decorator.js';
import { QUEUES, type SyncJobData } from '../queue/queue.constants.js';
import { InboundHandlerRegistry } from './inbound-handler.registry.js';
import type { HandlerOutcome, InboundEventHandler, StoredInboundEvent } from './inbound-event.js';
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
    private readonly prisma: PrismaService,
    private readonly inbox: InboxRepository,
    private readonly handlers: InboundHandlerRegistry,
    private readonly analytics: SyncAnalytics,
    private readonly pinoLogger: PinoLogger,
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
    this.reportProcessed(event, outcome);
  }

  /**
   * The events of a fetch whose handlers take batches, in one transaction: their attempts, the
   * domain writes and the outcomes commit together or not at all (ADR 0016). Returns the jobs left
   * for `process`: other types, events already processed or gone. A batch that fails leaves no
   * trace, not even its attempts, and each job then runs alone, so a bad event fails on its own.
   */
  async processBatch(jobs: Job<InboundEventJob>[]): Promise<Job<InboundEventJob>[]> {
    const ids = jobs.map((job) => job.data.eventId);
    const processed = await this.prisma.inPlainTransaction(async (client) => {
      const events = await this.inbox.startAttempts(ids, this.handlers.batchableTypes(), client);
      const outcomes = await this.handledTogether(events, client);
      const results = events.map((event, index) => ({ id: event.id, event, outcome: outcomes[index]! }));
      await this.inbox.markAllProcessed(results, client);
      return results;
    });
    const jobOf = new Map(jobs.map((job) => [job.data.eventId, job]));
    for (const { event, outcome } of processed) {
      // Each event's line in its own job's context, as if it had run alone.
      const bindings = {
        [CORRELATION_LOG_KEY]: event.correlationId,
        queue: QUEUES.inboundEvents,
        job_id: jobOf.get(event.id)!.id,
      };
      this.pinoLogger.runInContext(() => this.reportProcessed(event, outcome), { bindings });
    }
    return jobs.filter((job) => !processed.some(({ id }) => id === job.data.eventId));
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

  /** Each handler's events in their order, through its `handleBatch`; outcomes in the order of `events`. */
  private async handledTogether(events: readonly StoredInboundEvent[], client: SqlClient): Promise<HandlerOutcome[]> {
    const groups = new Map<InboundEventHandler, number[]>();
    events.forEach((event, index) => {
      const handler = this.handlers.handlerFor(event.type)!;
      groups.set(handler, [...(groups.get(handler) ?? []), index]);
    });
    const outcomes: HandlerOutcome[] = [];
    for (const [handler, indexes] of groups) {
      const handled = await handler.handleBatch!(
        indexes.map((index) => withDeliveryTime(events[index]!)),
        client,
      );
      indexes.forEach((eventIndex, position) => (outcomes[eventIndex] = handled[position]!));
    }
    return outcomes;
  }

  private reportProcessed(event: StoredInboundEvent, outcome: SyncEventOutcome & HandlerOutcome): void {
    this.logger.log({ eventId: event.id, eventType: event.type, outcome }, 'inbound event processed');
    this.analytics.ok(
      { eventType: event.type, locationId: event.locationId, correlationId: event.correlationId },
      outcome === 'APPLIED' ? 'applied' : outcome === 'STALE' ? 'stale' : 'ignored',
    );
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
