import { Injectable, Logger } from '@nestjs/common';
import pg from 'pg';
import { errorSummary } from '../common/error-summary.js';
import { PrismaService } from '../database/prisma.service.js';
import type { InboundEvent } from './inbound-event.js';

/**
 * `ghl_sync.intake_duplicates`: webhook deliveries the inbox turned away (their key was stored
 * already), counted per minute, location ('' for none) and event type, for the console's chart
 * (ADR 0025). The inbox keeps no row for a duplicate, so this is the only record of one.
 */
@Injectable()
export class IntakeDuplicatesRepository {
  private readonly logger = new Logger(IntakeDuplicatesRepository.name);

  constructor(private readonly prisma: PrismaService) {}

  /**
   * Adds `events` to this minute's counts in one statement, only after an insert turned some away,
   * so the intake's common path stays one statement. Counted in key order, so two batches never
   * lock the same counters in opposite orders. A count that fails is logged and lost: the delivery
   * it counts changed nothing, and its answer does not depend on it. With `statementTimeoutMs` the
   * statement is bounded as the insert is (a `SET LOCAL` in the same simple-protocol query).
   */
  async countTurnedAway(
    events: readonly Pick<InboundEvent, 'locationId' | 'type'>[],
    { statementTimeoutMs }: { statementTimeoutMs?: number } = {},
  ): Promise<void> {
    if (events.length === 0) return;
    const counts = new Map<string, { locationId: string; type: string; deliveries: number }>();
    for (const { locationId = '', type } of events) {
      const key = JSON.stringify([locationId, type]);
      const count = counts.get(key) ?? { locationId, type, deliveries: 0 };
      counts.set(key, { ...count, deliveries: count.deliveries + 1 });
    }
    const rows = [...counts.values()]
      .sort((a, b) => a.locationId.localeCompare(b.locationId) || a.type.localeCompare(b.type))
      .map(
        ({ locationId, type, deliveries }) =>
          `(date_trunc('minute', now()), ${pg.escapeLiteral(locationId)}, ${pg.escapeLiteral(type)}, ${deliveries})`,
      );
    const timeout = statementTimeoutMs ? `SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)};` : '';
    try {
      await this.prisma.pool.query(
        `${timeout}
         INSERT INTO ghl_sync.intake_duplicates AS counted (minute, location_id, type, deliveries)
         VALUES ${rows.join(', ')}
         ON CONFLICT (minute, location_id, type) DO UPDATE SET deliveries = counted.deliveries + EXCLUDED.deliveries`,
      );
    } catch (error) {
      this.logger.warn({ ...errorSummary(error), duplicates: events.length }, 'duplicate deliveries not counted');
    }
  }

  /** Drops the counts of minutes before `before` (the console charts the last 24 h). */
  async purgeBefore(before: Date): Promise<number> {
    const { count } = await this.prisma.intakeDuplicate.deleteMany({ where: { minute: { lt: before } } });
    return count;
  }
}
