import { QUEUES } from '../../src/queue/queue.constants.js';
import type { GhlStandIn } from './ghl-stand-in.js';
import { eventually } from './test-app.js';
import type { TestDatabase } from './test-database.js';

/** A `sync_events` row as the tests read it. */
export interface InboxRow {
  id: string;
  idempotency_key: string;
  type: string;
  object_id: string | null;
  outcome: string;
  attempts: number;
  correlation_id: string;
  processed_at: Date | null;
  /** NULL while the row waits for the relay to enqueue its job (ADR 0017). */
  queued_at: Date | null;
  payload: unknown;
}

export type InboxLookup = { idempotencyKey: string } | { objectId: string };

export async function inboxRow(database: TestDatabase, lookup: InboxLookup): Promise<InboxRow | undefined> {
  const [column, value] =
    'objectId' in lookup ? ['object_id', lookup.objectId] : ['idempotency_key', lookup.idempotencyKey];
  return (await database.query<InboxRow>(`SELECT * FROM ghl_sync.sync_events WHERE ${column} = $1`, [value]))[0];
}

/** Waits until a worker has finished with the event, and returns its row. */
export function processedInboxRow(database: TestDatabase, lookup: InboxLookup): Promise<InboxRow> {
  return eventually(
    async () => {
      const row = await inboxRow(database, lookup);
      return row?.processed_at ? row : undefined;
    },
    15_000,
    `inbox event ${JSON.stringify(lookup)} to be processed`,
  );
}

/** How many processing jobs pg-boss holds for an inbox event. */
export async function jobsForEvent(database: TestDatabase, eventId: string): Promise<number> {
  const [row] = await database.query<{ count: string }>(
    "SELECT count(*) FROM pgboss.job WHERE name = $1 AND data->>'eventId' = $2",
    [QUEUES.inboundEvents, eventId],
  );
  return Number(row!.count);
}

/**
 * Delivers a signed event over HTTP, requires it to be accepted, and waits until a worker has
 * processed it; returns the inbox outcome (APPLIED, STALE…).
 */
export async function syncDelivery(
  ghl: GhlStandIn,
  serviceUrl: string,
  database: TestDatabase,
  event: Record<string, unknown>,
): Promise<string> {
  const response = await ghl.deliver(serviceUrl, event);
  if (response.status !== 200) throw new Error(`delivery answered ${response.status}: ${await response.text()}`);
  return (await processedInboxRow(database, { idempotencyKey: `webhook:${event.webhookId as string}` })).outcome;
}
