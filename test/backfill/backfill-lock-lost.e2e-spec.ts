import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/queue/queue.constants.js';
import { QueueService } from '../../src/queue/queue.service.js';
import { GhlApiStandIn } from '../support/ghl-api-stand-in.js';
import { eventually, startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * One backfill per object across instances rests on a session advisory lock held on its own
 * connection. A restart drops that connection, and with it the lock, while the run goes on over
 * other connections: the run must not report success as if it had been alone, and must come back
 * by itself, under the lock again, from its checkpoint.
 */
describe('a backfill whose lock connection is lost', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  let service: TestApp;

  const backfillLockHolders = () =>
    database.query<{ pid: number }>(
      `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() AND a.state = 'idle'`,
    );

  beforeAll(async () => {
    database = await createTestDatabase('backfill_lock_lost');
    ghl = await GhlApiStandIn.start();
    ghl.seedContacts(1_200);
    service = await startTestApp(database.url, {
      GHL_API_BASE_URL: ghl.url,
      GHL_LOCATION_ID: ghl.locationId,
      GHL_PRIVATE_INTEGRATION_TOKEN: ghl.token,
      BACKFILL_CRON: 'off',
    });
  });

  afterAll(async () => {
    await service?.close();
    await ghl?.stop();
    await database?.drop();
  });

  it('reports the lost lock, then runs again under the lock from its checkpoint, spending no attempt', async () => {
    // The first page request waits, so the lock is held (on an idle session) while we drop it.
    ghl.injectFailures({ delayMs: 2_000 });
    await service.app.get(QueueService).send(QUEUES.backfill, { correlationId: 'lock-test', objects: ['contacts'] });
    const [holder] = await eventually(
      async () => ((await backfillLockHolders()).length === 1 ? backfillLockHolders() : undefined),
      10_000,
      'the backfill to hold its lock',
    );
    await database.query('SELECT pg_terminate_backend($1)', [holder!.pid]);

    const [job] = await eventually(
      async () => {
        const jobs = await database.query<{ state: string; retry_count: number }>(
          "SELECT state, retry_count FROM pgboss.job WHERE name = 'sync.backfill'",
        );
        return jobs[0]?.state === 'completed' ? jobs : undefined;
      },
      60_000,
      'the backfill job to complete',
    );
    expect(job).toEqual({ state: 'completed', retry_count: 0 });
    expect(await database.query('SELECT count(*)::int AS count FROM contacts')).toEqual([{ count: 1_200 }]);

    const lines = service.logs.lines;
    const failure = lines.find((line) => line.msg === 'backfill failed; its checkpoint is kept for the next run');
    expect(failure).toMatchObject({ object: 'contacts' });
    expect((failure!.err as { message: string }).message).toContain(
      'the connection holding the backfill lock was lost',
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'the database is back: running the work again', queue: QUEUES.backfill }),
    );
    const finished = lines.filter((line) => line.msg === 'backfill job finished');
    expect(finished.map((line) => (line.outcomes as { status: string }[]).map((outcome) => outcome.status))).toEqual([
      ['failed'],
      ['done'],
    ]);
    // The second run resumed: the first had written every page and its checkpoint before it reported the loss.
    expect(
      await database.query('SELECT object FROM ghl_sync.sync_cursors WHERE last_completed_at IS NOT NULL'),
    ).toEqual([{ object: 'contacts' }]);
  });
});
