import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/queue/queue.constants.js';
import { failContactWrites, installContactFailures } from '../support/failure-injection.js';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { processedInboxRow } from '../support/inbox.js';
import { ScratchServices } from '../support/service-process.js';
import { eventually } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('a worker killed right after a failed attempt', () => {
  const ghl = new GhlStandIn();
  let database: TestDatabase;
  const services = new ScratchServices('trainu-crash-', () => ({
    DATABASE_URL: database.url,
    SYNC_RETRY_DELAYS: '2,2',
    ...ghl.env(),
  }));
  const start = () => services.start();

  beforeAll(async () => {
    database = await createTestDatabase('worker_crash');
  });

  afterAll(async () => {
    await services.killAll();
    await database.drop();
  });

  it('runs exactly one retry after the restart', async () => {
    const first = await start();
    await installContactFailures(database);
    const contact = ghl.contactEvent('ContactCreate');
    await failContactWrites(database, contact.id as string, 1);
    expect((await ghl.deliver(first.url, contact)).status).toBe(200);

    await eventually(() =>
      Promise.resolve(
        first.service.logs.some((line) => line.msg === 'sync attempt failed; retry scheduled') || undefined,
      ),
    );
    expect(await first.service.stop('SIGKILL')).toBeNull();

    const [event] = await database.query<{ id: string }>('SELECT id FROM ghl_sync.sync_events WHERE object_id = $1', [
      contact.id,
    ]);
    const jobs = () =>
      database.query<{ state: string; attempt: number | null }>(
        "SELECT state, (data->>'attempt')::int AS attempt FROM pgboss.job WHERE name = $1 AND data->>'eventId' = $2 ORDER BY created_on",
        [QUEUES.inboundEvents, event!.id],
      );
    expect(await jobs()).toEqual([
      { state: 'completed', attempt: null },
      { state: 'created', attempt: 2 },
    ]);

    await start();
    const row = await processedInboxRow(database, { objectId: contact.id as string });
    expect(row).toMatchObject({ outcome: 'APPLIED', attempts: 2 });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await jobs()).toEqual([
      { state: 'completed', attempt: null },
      { state: 'completed', attempt: 2 },
    ]);
    expect((await processedInboxRow(database, { objectId: contact.id as string })).attempts).toBe(2);
    expect(await database.query('SELECT id FROM contacts WHERE ghl_contact_id = $1', [contact.id])).toHaveLength(1);
  });
});
