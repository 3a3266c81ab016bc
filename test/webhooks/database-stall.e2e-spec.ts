import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { processedInboxRow } from '../support/inbox.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** GHL's own wait for an answer is undocumented; about 10 s is assumed, so the answer must come well before. */
const GHL_GIVES_UP_MS = 10_000;
const STORE_TIMEOUT_MS = 500;

/**
 * A database that answers but cannot take the delivery: a session holds a lock on the inbox (a
 * migration, a long ALTER, a stuck transaction). The delivery is answered 429 at the deadline, GHL
 * retries it, and the stalled statement is cancelled so it holds no connection meanwhile.
 */
describe('webhooks while the database is stalled', () => {
  const ghl = new GhlStandIn();
  let database: TestDatabase;
  let service: TestApp;
  let locker: pg.Client;

  const waitingOnLocks = () =>
    database.query(
      `SELECT pid FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'trainu-ghl-sync' AND wait_event_type = 'Lock'`,
    );

  beforeAll(async () => {
    database = await createTestDatabase('database_stall');
    service = await startTestApp(database.url, { ...ghl.env(), WEBHOOK_STORE_TIMEOUT_MS: String(STORE_TIMEOUT_MS) });
    locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
  });

  afterAll(async () => {
    await locker?.end();
    await service?.close();
    await database?.drop();
  });

  it('answers 429 at WEBHOOK_STORE_TIMEOUT_MS, holds no connection, and takes the redelivery once the stall ends', async () => {
    const event = ghl.contactEvent('ContactCreate');
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE ghl_sync.sync_events IN ACCESS EXCLUSIVE MODE');

    const started = performance.now();
    const stalled = await Promise.all(
      [1, 2, 3].map(() => ghl.deliver(service.url, event, { timeoutMs: GHL_GIVES_UP_MS })),
    );
    const answeredAfterMs = performance.now() - started;
    expect(stalled.map((response) => response.status)).toEqual([429, 429, 429]);
    expect(stalled[0]!.headers.get('retry-after')).toBe('60');
    expect(await stalled[0]!.json()).toMatchObject({ error: 'TEMPORARILY_UNAVAILABLE' });
    expect(answeredAfterMs).toBeLessThan(GHL_GIVES_UP_MS / 2);
    // The inserts were cancelled by their statement timeout, while the lock is still held.
    await expect.poll(waitingOnLocks, { timeout: 5_000 }).toEqual([]);
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);

    await locker.query('ROLLBACK');
    const accepted = await ghl.deliver(service.url, event, { timeoutMs: GHL_GIVES_UP_MS });
    expect(await accepted.json()).toEqual({ outcome: 'accepted' });
    const row = await processedInboxRow(database, { objectId: event.id as string });
    expect(row).toMatchObject({ outcome: 'APPLIED', attempts: 1 });
    expect(
      await database.query('SELECT count(*)::int AS count FROM pgboss.job WHERE data->>$1 = $2', ['eventId', row.id]),
    ).toEqual([{ count: 1 }]);
  });
});
