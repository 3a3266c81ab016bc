import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import { QUEUES } from '../queue/queue.constants.js';
import { QueueService } from '../queue/queue.service.js';
import type { InboundEvent } from './inbound-event.js';
import { InboxRepository } from './inbox.repository.js';
import type { InboundEventJob } from './inbound-event.processor.js';

export type AcceptResult = { readonly duplicate: false; readonly eventId: string } | { readonly duplicate: true };

export interface AcceptOptions {
  /** Cancels a statement of the acceptance that waits longer than this (a stalled database). */
  readonly statementTimeoutMs?: number;
}

@Injectable()
export class InboxService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly inbox: InboxRepository,
    private readonly queue: QueueService,
  ) {}

  /**
   * Records an inbound event and enqueues its processing in one transaction: an accepted event
   * always has its job, and a job never points at an event that was rolled back. A repeated
   * idempotency key changes nothing.
   */
  async accept(event: InboundEvent, options: AcceptOptions = {}): Promise<AcceptResult> {
    return this.prisma.inPlainTransaction(async (client) => {
      const eventId = await this.inbox.insertIfNew(event, client);
      if (!eventId) return { duplicate: true };
      const job: InboundEventJob = {
        eventId,
        correlationId: event.correlationId,
        eventType: event.type,
        locationId: event.locationId,
        idempotencyKey: event.idempotencyKey,
      };
      await this.queue.send(QUEUES.inboundEvents, job, { transaction: client });
      return { duplicate: false, eventId };
    }, options);
  }

  /** Records an event of a type no domain handler syncs: kept for the record, outcome IGNORED, no job. */
  async recordIgnored(event: InboundEvent, options: AcceptOptions = {}): Promise<AcceptResult> {
    const eventId = await this.prisma.inPlainTransaction(
      (client) => this.inbox.insertIfNew(event, client, 'IGNORED'),
      options,
    );
    return eventId ? { duplicate: false, eventId } : { duplicate: true };
  }
}
