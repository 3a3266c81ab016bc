import { Injectable, Logger } from '@nestjs/common';
import type { PrismaTransaction } from '../database/prisma.service.js';
import { QueueService } from '../queue/queue.service.js';
import type { DomainEventInput, PublishedDomainEvent } from './domain-event.js';
import { DomainEventsRepository } from './domain-events.repository.js';

/**
 * Records a domain event in the outbox and publishes it through pg-boss in the caller's
 * transaction: the event exists, and reaches subscribers, if and only if the change commits, and
 * at most once per dedupe key.
 */
@Injectable()
export class DomainEventsService {
  private readonly logger = new Logger(DomainEventsService.name);

  constructor(
    private readonly events: DomainEventsRepository,
    private readonly queue: QueueService,
  ) {}

  /** Returns false when an event with the same dedupe key was recorded before (nothing is published). */
  async record(event: DomainEventInput, transaction: PrismaTransaction): Promise<boolean> {
    const stored = await this.events.insertIfNew(event, transaction);
    if (!stored) return false;
    const published: PublishedDomainEvent = {
      ...event.payload,
      eventId: stored.id,
      type: event.type,
      occurredAt: stored.occurredAt.toISOString(),
      correlationId: event.correlationId ?? null,
    };
    await this.queue.publish(event.type, published, { transaction });
    this.logger.log({ eventId: stored.id, type: event.type, aggregateId: event.aggregateId }, 'domain event published');
    return true;
  }
}
