import { Injectable } from '@nestjs/common';
import type { PrismaTransaction } from '../database/prisma.service.js';
import type { DomainEventInput } from './domain-event.js';

/** The `domain_events` outbox. */
@Injectable()
export class DomainEventsRepository {
  /** Inserts the event as published now, unless its dedupe key exists; returns its id and time, or undefined. */
  async insertIfNew(
    event: DomainEventInput,
    transaction: PrismaTransaction,
  ): Promise<{ id: string; occurredAt: Date } | undefined> {
    const rows = await transaction.$queryRaw<{ id: string; occurred_at: Date }[]>`
      INSERT INTO ghl_sync.domain_events (type, aggregate_type, aggregate_id, dedupe_key, payload, correlation_id, published_at)
      VALUES (${event.type}, ${event.aggregateType}, ${event.aggregateId}::uuid, ${event.dedupeKey},
              ${JSON.stringify(event.payload)}::jsonb, ${event.correlationId ?? null}, now())
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id, occurred_at`;
    const row = rows[0];
    return row && { id: row.id, occurredAt: row.occurred_at };
  }
}
