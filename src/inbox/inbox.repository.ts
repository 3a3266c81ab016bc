import { Injectable } from '@nestjs/common';
import pg from 'pg';
import { PrismaService, type PrismaTransaction, type SqlClient } from '../database/prisma.service.js';
import { ReadPrismaService } from '../database/read-prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';
import type { SyncEventOutcome } from '../generated/prisma/enums.js';
import type { InboundEvent, StoredInboundEvent } from './inbound-event.js';

interface StartedEventRow {
  id: string;
  idempotency_key: string;
  type: string;
  location_id: string | null;
  object_id: string | null;
  correlation_id: string;
  payload: Record<string, unknown> | null;
  received_at: Date;
}

const START_ATTEMPTS = 'UPDATE ghl_sync.sync_events SET attempts = attempts + 1';
const STARTED_COLUMNS = 'id, idempotency_key, type, location_id, object_id, correlation_id, payload, received_at';

function storedEventOf(row: StartedEventRow): StoredInboundEvent {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    type: row.type,
    locationId: row.location_id ?? undefined,
    objectId: row.object_id ?? undefined,
    correlationId: row.correlation_id,
    payload: row.payload ?? {},
    receivedAt: row.received_at,
    processedAt: undefined,
  };
}

/** An inbox row the relay has taken, with what its processing job carries. */
export interface AwaitingRelayRow {
  id: string;
  idempotency_key: string;
  type: string;
  location_id: string | null;
  correlation_id: string;
  received_at: Date;
}

/** One event for insertAllIfNew; with `finalOutcome` it is stored as already processed. */
export interface InboxInsert {
  readonly event: InboundEvent;
  readonly finalOutcome?: SyncEventOutcome;
}

type InsertedResult = pg.QueryResult<{ id: string; idempotency_key: string }>;

/** The `sync_events` inbox table. */
@Injectable()
export class InboxRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly reads: ReadPrismaService,
  ) {}

  /**
   * Inserts each event unless its idempotency key is already there, in one statement; answers, in
   * the events' order, each new row's id or undefined for a duplicate (of a stored row, or of an
   * earlier event of the same call). A row waits for the relay to enqueue its job (`queued_at`
   * NULL, ADR 0017); one with `finalOutcome` is stored as already processed and needs none. The
   * webhook intake's one durable write, in one round trip (ADR 0006, 0017, 0021): with
   * `statementTimeoutMs` (a stalled database, ADR 0014) a `SET LOCAL` goes in the same
   * simple-protocol query, which runs as one implicit transaction, so it applies to the INSERT
   * alone, through any pooler. Such a query takes no parameters, so the values are quoted by
   * node-postgres's `escapeLiteral`.
   */
  async insertAllIfNew(
    entries: readonly InboxInsert[],
    { statementTimeoutMs }: { statementTimeoutMs?: number } = {},
  ): Promise<(string | undefined)[]> {
    const literal = (value: string | undefined) => (value === undefined ? 'NULL' : pg.escapeLiteral(value));
    const timeout = statementTimeoutMs ? `SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)};` : '';
    const rows = entries.map(({ event, finalOutcome }) => {
      const done = finalOutcome ? 'now()' : 'NULL';
      return `(${literal(event.idempotencyKey)}, ${literal(event.type)}, ${literal(event.locationId)}, ${literal(event.objectId)},
               ${literal(event.correlationId)}, ${literal(JSON.stringify(event.payload))}::jsonb,
               ${literal(finalOutcome ?? 'PENDING')}::ghl_sync.sync_event_outcome, ${done}, ${done})`;
    });
    const results = (await this.prisma.pool.query(
      `${timeout}
       INSERT INTO ghl_sync.sync_events (idempotency_key, type, location_id, object_id, correlation_id, payload, outcome, processed_at, queued_at)
       VALUES ${rows.join(',\n')}
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id, idempotency_key`,
    )) as unknown as InsertedResult | InsertedResult[];
    const insert = Array.isArray(results) ? results.at(-1) : results;
    // Of events sharing a key, the INSERT keeps the first; the others are its duplicates.
    const inserted = new Map(insert?.rows.map((row) => [row.idempotency_key, row.id]));
    return entries.map(({ event }) => {
      const id = inserted.get(event.idempotencyKey);
      inserted.delete(event.idempotencyKey);
      return id;
    });
  }

  /**
   * Counts a processing attempt of an event not yet processed and returns it, in one statement
   * (the worker's hot path, ADR 0006): `processed` when it is already done, `missing` when it is gone.
   */
  async startAttempt(id: string): Promise<StoredInboundEvent | 'processed' | 'missing'> {
    const { rows } = await this.prisma.pool.query<StartedEventRow>(
      `${START_ATTEMPTS} WHERE id = $1 AND processed_at IS NULL RETURNING ${STARTED_COLUMNS}`,
      [id],
    );
    const row = rows[0];
    if (!row) {
      const { rowCount } = await this.prisma.pool.query('SELECT 1 FROM ghl_sync.sync_events WHERE id = $1', [id]);
      return rowCount ? 'processed' : 'missing';
    }
    return storedEventOf(row);
  }

  /**
   * `startAttempt` for the events of `ids` not yet processed whose type is one of `types`, in
   * `client`'s transaction, in the order they were received (a fetch's jobs come in no particular
   * order); the others are left as they are.
   */
  async startAttempts(
    ids: readonly string[],
    types: readonly string[],
    client: SqlClient,
  ): Promise<StoredInboundEvent[]> {
    const { rows } = await client.query<StartedEventRow>(
      `${START_ATTEMPTS} WHERE id = ANY($1::uuid[]) AND processed_at IS NULL AND type = ANY($2::text[])
       RETURNING ${STARTED_COLUMNS}`,
      [ids, types],
    );
    const received = (row: StartedEventRow) => row.received_at.getTime();
    return rows
      .sort((first, second) => received(first) - received(second) || first.id.localeCompare(second.id))
      .map(storedEventOf);
  }

  async markProcessed(id: string, outcome: SyncEventOutcome): Promise<void> {
    await this.markAllProcessed([{ id, outcome }], this.prisma.pool);
  }

  async markAllProcessed(
    events: readonly { id: string; outcome: SyncEventOutcome }[],
    client: SqlClient,
  ): Promise<void> {
    await client.query(
      `UPDATE ghl_sync.sync_events e SET outcome = v.outcome, processed_at = now()
       FROM unnest($1::uuid[], $2::ghl_sync.sync_event_outcome[]) AS v(id, outcome) WHERE e.id = v.id`,
      [events.map((event) => event.id), events.map((event) => event.outcome)],
    );
  }

  /**
   * Sets a dead-letter outcome: DEAD_LETTERED (waiting for an operator, payload kept), PENDING
   * (replayed: runnable again), FAILED (discarded: done, payload purged after the retention period).
   */
  async markOutcome(
    id: string,
    outcome: 'DEAD_LETTERED' | 'PENDING' | 'FAILED',
    transaction: PrismaTransaction,
  ): Promise<void> {
    const processedAt = outcome === 'PENDING' ? null : new Date();
    await transaction.syncEvent.updateMany({ where: { id }, data: { outcome, processedAt } });
  }

  /** Drops the raw body of events processed before `processedBefore`; returns how many rows lost it. */
  async purgePayloads(processedBefore: Date): Promise<number> {
    const { count } = await this.prisma.syncEvent.updateMany({
      where: {
        processedAt: { lt: processedBefore },
        payload: { not: Prisma.DbNull },
        outcome: { not: 'DEAD_LETTERED' },
      },
      data: { payload: Prisma.DbNull },
    });
    return count;
  }

  /**
   * Marks up to `limit` of the oldest rows waiting for the relay as queued and returns them, on the
   * caller's transaction: their rows stay locked until it ends, and rows another transaction holds
   * are skipped (SKIP LOCKED), so relays running at once never take the same row. Rolled back, the
   * rows wait again.
   */
  async takeAwaitingRelay(limit: number, transaction: SqlClient): Promise<AwaitingRelayRow[]> {
    const { rows } = await transaction.query<AwaitingRelayRow>(
      `UPDATE ghl_sync.sync_events SET queued_at = now()
        WHERE id IN (SELECT id FROM ghl_sync.sync_events
                      WHERE queued_at IS NULL AND outcome = 'PENDING'::ghl_sync.sync_event_outcome
                      ORDER BY received_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, idempotency_key, type, location_id, correlation_id, received_at`,
      [limit],
    );
    return rows.sort((a, b) => a.received_at.getTime() - b.received_at.getTime());
  }

  /** Rows stored by the intake whose job the relay has not enqueued yet: waiting work (ADR 0017). */
  async countAwaitingRelay(): Promise<number> {
    return this.reads.syncEvent.count({ where: { queuedAt: null, outcome: 'PENDING' } });
  }

  async lastReceivedAt(): Promise<Date | undefined> {
    const { _max } = await this.reads.syncEvent.aggregate({ _max: { receivedAt: true } });
    return _max.receivedAt ?? undefined;
  }

  async countProcessedSince(since: Date): Promise<number> {
    const where: Prisma.SyncEventWhereInput = { processedAt: { gte: since } };
    return this.reads.syncEvent.count({ where });
  }
}
