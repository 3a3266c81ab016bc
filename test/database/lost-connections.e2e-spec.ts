import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAppConfig } from '../../src/config/app-config.js';
import { createServicePool, endPool } from '../../src/database/service-pool.js';
import { QUEUES } from '../../src/queue/queue.constants.js';
import { failContactWrites, installContactFailures } from '../support/failure-injection.js';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { processedInboxRow } from '../support/inbox.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * A connection the server drops while it is in use (what a Postgres restart does to every busy
 * connection) used to be an uncaught 'error' event that ended the process: vitest fails a test
 * file on any uncaught error, so these fail without the per-connection listener.
 */
describe('a database connection lost while in use', () => {
  const ghl = new GhlStandIn();
  let database: TestDatabase;
  let service: TestApp;

  const terminate = (applicationName: string, where = "state = 'active'") =>
    database.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = $1 AND ${where} AND pid <> pg_backend_pid()`,
      [applicationName],
    );

  const lostConnectionLines = (context: string) =>
    service.logs.lines.filter((line) => line.msg === 'a database connection was lost' && line.context === context);

  beforeAll(async () => {
    database = await createTestDatabase('lost_connections');
    service = await startTestApp(database.url, ghl.env());
    await installContactFailures(database);
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  it('fails only the statement in flight; the pool replaces the connection and goes on', async () => {
    const config = loadAppConfig({ DATABASE_URL: database.url });
    const pool = createServicePool(config, {
      owner: 'LostConnectionsTest',
      applicationName: 'lost-connections-test',
      connectionTimeoutMillis: 5_000,
    });
    try {
      const client = await pool.connect();
      const sleeping = client.query('SELECT pg_sleep(30)').then(
        () => 'no error',
        (error: unknown) => error,
      );
      await expect.poll(async () => (await terminate('lost-connections-test')).length).toBe(1);
      expect(await sleeping).toMatchObject({ code: '57P01' });
      // The FATAL error reaches the query before the socket's close reaches the client: hold the
      // connection until the close is reported, so the line is the one for a connection in use.
      await expect.poll(() => lostConnectionLines('LostConnectionsTest').length).toBe(1);
      client.release();
      await expect.poll(() => pool.totalCount).toBe(0);

      const idle = await pool.connect();
      idle.release();
      expect(await terminate('lost-connections-test', "state = 'idle'")).toHaveLength(1);
      await expect.poll(() => pool.totalCount).toBe(0);

      const { rows } = await pool.query<{ answer: number }>('SELECT 42 AS answer');
      expect(rows).toEqual([{ answer: 42 }]);
      // Once per connection, saying whether work was using it; the error's message, no objects.
      expect(lostConnectionLines('LostConnectionsTest')).toEqual([
        expect.objectContaining({ inUse: true, reason: 'Connection terminated unexpectedly' }),
        expect.objectContaining({
          inUse: false,
          code: '57P01',
          reason: 'terminating connection due to administrator command',
        }),
      ]);
    } finally {
      await endPool(pool);
    }
  });

  it('runs the job again once the database answers, without spending an attempt of the retry schedule', async () => {
    const contact = ghl.contactEvent('ContactCreate');
    await failContactWrites(database, contact.id as string, 1, 'drop-connection');
    expect((await ghl.deliver(service.url, contact)).status).toBe(200);

    const row = await processedInboxRow(database, { objectId: contact.id as string });
    // Two runs of one attempt: the inbox counts runs, the retry schedule counts none of them.
    expect(row).toMatchObject({ outcome: 'APPLIED', attempts: 2 });
    const jobs = await database.query<{ state: string; attempt: number | null }>(
      "SELECT state, (data->>'attempt')::int AS attempt FROM pgboss.job WHERE name = $1 AND data->>'eventId' = $2",
      [QUEUES.inboundEvents, row.id],
    );
    expect(jobs).toEqual([{ state: 'completed', attempt: null }]);
    expect(await database.query('SELECT id FROM ghl_sync.sync_dead_letters')).toEqual([]);
    expect(await database.query('SELECT email FROM contacts WHERE ghl_contact_id = $1', [contact.id])).toEqual([
      { email: (contact.email as string).toLowerCase() },
    ]);

    const lines = service.logs.lines;
    const lost = lostConnectionLines('PrismaService');
    expect(lost).toEqual([expect.objectContaining({ inUse: true })]);
    expect(JSON.stringify(lost[0]).length).toBeLessThan(500);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'the database is back: running the work again', queue: QUEUES.inboundEvents }),
    );
    expect(lines.map((line) => line.msg)).not.toContain('sync attempt failed; retry scheduled');
  });
});
