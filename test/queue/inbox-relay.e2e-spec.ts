import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readMigrationFiles } from '../../src/database/migrations/migration-files.js';
import { runMigrations } from '../../src/database/migrations/migration-runner.js';
import { InboxRelay } from '../../src/inbox/inbox-relay.js';
import { InboxService } from '../../src/inbox/inbox.service.js';
import { MIGRATIONS_DIR } from '../../src/paths.js';
import { QUEUES } from '../../src/queue/queue.constants.js';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { inboxRow, jobsForEvent, processedInboxRow } from '../support/inbox.js';
import { eventually, startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const MIGRATIONS = readMigrationFiles(MIGRATIONS_DIR);
const RELAY_MIGRATION = '20261202120000_inbox_relay';

/**
 * Stores `count` inbox rows waiting for the relay, as the intake does but without its NOTIFY, of a
 * type no handler syncs (processing ends IGNORED). Returns their ids.
 */
async function waitingRows(database: TestDatabase, prefix: string, count: number): Promise<string[]> {
  const rows = await database.query<{ id: string }>(
    `INSERT INTO ghl_sync.sync_events (idempotency_key, type, correlation_id, payload, queued_at)
     SELECT $1 || n, 'NoteCreate', 'corr-' || $1 || n, '{"type":"NoteCreate"}', NULL FROM generate_series(1, $2) n
     RETURNING id`,
    [prefix, count],
  );
  return rows.map(({ id }) => id);
}

/** pg-boss jobs of the inbound queue per event id, for these events. */
async function jobsPerEvent(database: TestDatabase, eventIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await database.query<{ event_id: string; jobs: number }>(
    `SELECT data->>'eventId' AS event_id, count(*)::int AS jobs FROM pgboss.job
      WHERE name = $1 AND data->>'eventId' = ANY($2) GROUP BY 1`,
    [QUEUES.inboundEvents, eventIds],
  );
  return new Map(rows.map((row) => [row.event_id, row.jobs]));
}

async function unqueued(database: TestDatabase, eventIds: readonly string[]): Promise<number> {
  const [row] = await database.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM ghl_sync.sync_events WHERE id = ANY($1) AND queued_at IS NULL',
    [eventIds],
  );
  return row!.count;
}

describe('the inbox relay (ADR 0017)', () => {
  const ghl = new GhlStandIn();
  let database: TestDatabase;
  const started: TestApp[] = [];
  /** Nest's Logger is one per process: lines of a later app may land in an earlier app's capture. */
  const everyLogLine: Record<string, unknown>[][] = [];
  const start = async (env: Record<string, string>) => {
    const app = await startTestApp(database.url, { ...ghl.env(), ...env });
    started.push(app);
    everyLogLine.push(app.logs.lines);
    return app;
  };

  beforeAll(async () => {
    database = await createTestDatabase('inbox_relay');
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((app) => app.close()));
  });

  afterAll(async () => {
    await database.drop();
  });

  it('leaves a webhook accepted while no worker runs waiting, counted as queue depth, and a worker that starts applies it once', async () => {
    const api = await start({ SERVICE_ROLE: 'api' });
    const contact = ghl.contactEvent('ContactCreate');
    const response = await ghl.deliver(api.url, contact);
    expect(await response.json()).toEqual({ outcome: 'accepted' });

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const waiting = (await inboxRow(database, { objectId: contact.id as string }))!;
    expect(waiting).toMatchObject({ outcome: 'PENDING', processed_at: null, queued_at: null });
    expect(await jobsForEvent(database, waiting.id)).toBe(0);
    const status = (await (await api.graphql('{ syncStatus { queueDepth } }')).json()) as {
      data: { syncStatus: { queueDepth: number } };
    };
    expect(status.data.syncStatus.queueDepth).toBe(1);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/^sync_inbox_awaiting_relay 1$/m);
    expect(metrics).toMatch(/^sync_queue_depth 1$/m);

    await start({ SERVICE_ROLE: 'worker' });
    const processed = await processedInboxRow(database, { objectId: contact.id as string });
    expect(processed.outcome).toBe('APPLIED');
    expect(await jobsForEvent(database, waiting.id)).toBe(1);
    expect(await database.query('SELECT email FROM contacts WHERE ghl_contact_id = $1', [contact.id])).toEqual([
      { email: (contact.email as string).toLowerCase() },
    ]);
  });

  it('stores every value as sent through the one-round-trip insert: quotes, backslashes, $1, unicode', async () => {
    const api = await start({ SERVICE_ROLE: 'api' });
    const tricky = `O'Brien \\ "q" $1 ; DROP TABLE x; -- \u00e9 \ud83d\ude00 E'\\x'`;
    const result = await api.app.get(InboxService).accept(
      {
        idempotencyKey: `key ${tricky}`,
        type: 'NoteCreate',
        locationId: tricky,
        correlationId: tricky,
        payload: { type: 'NoteCreate', name: tricky, nested: { list: [tricky, 1, null] } },
      },
      { statementTimeoutMs: 3_000 },
    );
    expect(result.duplicate).toBe(false);
    const [row] = await database.query(
      'SELECT idempotency_key, location_id, object_id, correlation_id, payload FROM ghl_sync.sync_events WHERE id = $1',
      [result.duplicate ? '' : result.eventId],
    );
    expect(row).toEqual({
      idempotency_key: `key ${tricky}`,
      location_id: tricky,
      object_id: null,
      correlation_id: tricky,
      payload: { type: 'NoteCreate', name: tricky, nested: { list: [tricky, 1, null] } },
    });
    // Not for the relays of the tests below.
    await database.query("DELETE FROM ghl_sync.sync_events WHERE type = 'NoteCreate' AND queued_at IS NULL");
  });

  it('takes each row once when two relays run at once: one job per event', async () => {
    // API role: no relay loop runs, so the batches below are the only ones, and no job is processed.
    const [first, second] = await Promise.all([start({ SERVICE_ROLE: 'api' }), start({ SERVICE_ROLE: 'api' })]);
    const ids = await waitingRows(database, 'race-', 600);
    const relays = [first, second].map((app) => app.app.get(InboxRelay));
    let taken = 0;
    const drain = async (relay: InboxRelay) => {
      for (let moved = 1; moved > 0;) {
        moved = await relay.relayBatch(25);
        taken += moved;
      }
    };
    // Four loops per relay, each batch its own transaction on its own connection.
    await Promise.all(relays.flatMap((relay) => [1, 2, 3, 4].map(() => drain(relay))));

    expect(taken).toBe(ids.length);
    expect(await unqueued(database, ids)).toBe(0);
    const jobs = await jobsPerEvent(database, ids);
    expect(jobs.size).toBe(ids.length);
    expect([...jobs.values()].every((count) => count === 1)).toBe(true);
  });

  it('loses and duplicates nothing when its connection is killed mid-batch, and its loop goes on', async () => {
    await start({ SERVICE_ROLE: 'worker' });
    const [queue] = await database.query<{ table_name: string }>(
      'SELECT table_name FROM pgboss.queue WHERE name = $1',
      [QUEUES.inboundEvents],
    );
    // The relay's job insert waits behind this lock, after its UPDATE of the inbox rows (so do
    // pg-boss's own inserts, on its own pool, such as the cron's: the relay's session is on the service's).
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE pgboss.${queue!.table_name} IN EXCLUSIVE MODE`);
      const ids = await waitingRows(database, 'killed-', 40);

      const relaySession = await eventually(
        async () => {
          const [row] = await database.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity
              WHERE datname = current_database() AND application_name = 'trainu-ghl-sync'
                AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO pgboss.%'`,
          );
          return row;
        },
        5_000,
        'the relay to wait inside its batch',
      );
      // Inside the batch the rows are marked queued; other sessions still see them waiting.
      expect(await unqueued(database, ids)).toBe(ids.length);
      await database.query('SELECT pg_terminate_backend($1)', [relaySession.pid]);
      await eventually(
        () =>
          Promise.resolve(
            everyLogLine.flat().some((line) => line.msg === 'the inbox relay could not enqueue a batch') || undefined,
          ),
        5_000,
        'the failed batch to be logged',
      );
      // Rolled back: every row waits again, and no job exists.
      expect(await unqueued(database, ids)).toBe(ids.length);
      await locker.query('ROLLBACK');

      const outcomes = await eventually(
        async () => {
          const rows = await database.query<{ outcome: string; attempts: number; count: number }>(
            `SELECT outcome::text, attempts, count(*)::int AS count FROM ghl_sync.sync_events
              WHERE id = ANY($1) AND processed_at IS NOT NULL GROUP BY 1, 2`,
            [ids],
          );
          return rows.reduce((sum, row) => sum + row.count, 0) === ids.length ? rows : undefined;
        },
        15_000,
        'every row to be processed',
      );
      expect(outcomes).toEqual([{ outcome: 'IGNORED', attempts: 1, count: ids.length }]);
      const jobs = await jobsPerEvent(database, ids);
      expect(jobs.size).toBe(ids.length);
      expect([...jobs.values()].every((count) => count === 1)).toBe(true);
    } finally {
      await locker.end();
    }
  });

  it('finds a row whose NOTIFY never came within its poll interval', async () => {
    await start({ SERVICE_ROLE: 'worker' });
    // Let the first polls and the LISTEN settle, so the row below arrives while the relay idles.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [id] = await waitingRows(database, 'unannounced-', 1);
    const row = await eventually(
      async () => {
        const [found] = await database.query<{ waited_ms: number }>(
          `SELECT (extract(epoch FROM queued_at - received_at) * 1000)::float AS waited_ms
             FROM ghl_sync.sync_events WHERE id = $1 AND queued_at IS NOT NULL`,
          [id],
        );
        return found;
      },
      5_000,
      'the relay to take the row',
    );
    expect(row.waited_ms).toBeLessThan(1_000);
    expect((await processedInboxRow(database, { idempotencyKey: 'unannounced-1' })).outcome).toBe('IGNORED');
    expect(await jobsForEvent(database, id!)).toBe(1);
  });

  it('relays nothing at the upgrade: rows stored before it already have their jobs', async () => {
    const upgraded = await createTestDatabase('inbox_relay_upgrade');
    try {
      const silent = pino({ level: 'silent' });
      await runMigrations(
        upgraded.url,
        MIGRATIONS.filter((migration) => migration.name < RELAY_MIGRATION),
        silent,
      );
      // What the previous release left: a pending row (its job was enqueued in the same transaction) and done ones.
      await upgraded.query(`
        INSERT INTO ghl_sync.sync_events (idempotency_key, type, correlation_id, payload, outcome, processed_at)
        VALUES ('before-pending', 'NoteCreate', 'c', '{}', 'PENDING', NULL),
               ('before-done', 'NoteCreate', 'c', NULL, 'IGNORED', now())`);
      await runMigrations(upgraded.url, MIGRATIONS, silent);
      expect(
        await upgraded.query(
          'SELECT idempotency_key, queued_at IS NOT NULL AS queued FROM ghl_sync.sync_events ORDER BY 1',
        ),
      ).toEqual([
        { idempotency_key: 'before-done', queued: true },
        { idempotency_key: 'before-pending', queued: true },
      ]);
      const api = await startTestApp(upgraded.url, { SERVICE_ROLE: 'api' });
      try {
        expect(await api.app.get(InboxRelay).relayBatch()).toBe(0);
      } finally {
        await api.close();
      }
    } finally {
      await upgraded.drop();
    }
  });
});
