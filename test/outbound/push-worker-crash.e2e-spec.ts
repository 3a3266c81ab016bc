import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GhlApiStandIn } from '../support/ghl-api-stand-in.js';
import { ScratchServices } from '../support/service-process.js';
import { eventually } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The worst moment to die: GHL has stored the new contact, its answer has not arrived, and the
 * worker is killed. The job comes back after its heartbeat lapses; the push looks the contact up
 * before creating, so it links the contact GHL made instead of making a second one.
 */
describe('a push worker killed while GHL is creating the contact', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  const services = new ScratchServices('trainu-outbound-crash-', () => ({
    DATABASE_URL: database.url,
    GHL_API_BASE_URL: ghl.url,
    GHL_LOCATION_ID: ghl.locationId,
    GHL_PRIVATE_INTEGRATION_TOKEN: ghl.token,
    BACKFILL_CRON: 'off',
    OUTBOUND_MODE: 'push',
    SYNC_RETRY_DELAYS: '1,1',
  }));
  const start = async () => (await services.start()).service;

  beforeAll(async () => {
    database = await createTestDatabase('outbound_crash');
    ghl = await GhlApiStandIn.start({ answerCreatesLate: true });
  });

  afterAll(async () => {
    await services.killAll();
    await ghl.stop();
    await database.drop();
  });

  it('loses no change and creates no duplicate', async () => {
    const first = await start();
    ghl.failNextWrites({ delayMs: 60_000 });
    const [row] = await database.query<{ id: string }>(
      "INSERT INTO contacts (email, first_name) VALUES ('crash.once@example.com', 'Crash') RETURNING id",
    );
    await eventually(() => Promise.resolve(ghl.actions.create === 1 ? true : undefined), 20_000, 'the create in GHL');
    expect(await first.stop('SIGKILL')).toBeNull();
    expect((await database.query('SELECT ghl_contact_id FROM contacts WHERE id = $1', [row!.id]))[0]).toEqual({
      ghl_contact_id: null,
    });

    await start();
    const [created] = [...ghl.contacts.values()].filter((contact) => contact.email === 'crash.once@example.com');
    await eventually(
      async () => {
        const [linked] = await database.query<{ ghl_contact_id: string | null }>(
          'SELECT ghl_contact_id FROM contacts WHERE id = $1',
          [row!.id],
        );
        return linked!.ghl_contact_id ?? undefined;
      },
      90_000,
      'the contact linked after the restart',
    ).then((ghlContactId) => expect(ghlContactId).toBe(created!.id));

    expect(ghl.actions.create).toBe(1);
    expect([...ghl.contacts.values()].filter((contact) => contact.email === 'crash.once@example.com')).toHaveLength(1);
    const [pending] = await database.query<{ rows: number }>(
      'SELECT count(*)::int AS rows FROM ghl_sync.contact_outbox WHERE contact_id = $1 AND pushed_at IS NULL',
      [row!.id],
    );
    expect(pending!.rows).toBe(0);
  }, 120_000);
});
