import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GhlApiStandIn } from '../support/ghl-api-stand-in.js';
import { eventually, startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const CONTACTS = 1_000;

/**
 * A bulk import in TrainU: 1,000 contacts in one transaction. The stand-in enforces GHL's burst
 * limit of 100 requests per window and answers 429 past it; the window is 1 s here instead of
 * GHL's 10 s (the governor learns it from `X-RateLimit-Interval-Milliseconds`), so the run takes
 * ~25 s instead of ~4 min while the governor faces the same limit at ten times the pace.
 */
describe('outbound at scale: 1,000 contacts from one transaction', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  let service: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase('outbound_scale');
    ghl = await GhlApiStandIn.start({ limits: { burst: 100, windowMs: 1_000 } });
    service = await startTestApp(database.url, {
      GHL_API_BASE_URL: ghl.url,
      GHL_LOCATION_ID: ghl.locationId,
      GHL_PRIVATE_INTEGRATION_TOKEN: ghl.token,
      BACKFILL_CRON: 'off',
      OUTBOUND_MODE: 'push',
      LOG_LEVEL: 'warn',
    });
  });

  afterAll(async () => {
    await service?.close();
    await ghl?.stop();
    await database?.drop();
  });

  it('all reach GHL, each created once and linked, with zero 429s', async () => {
    await database.query(
      `INSERT INTO contacts (email, first_name, last_name)
       SELECT 'bulk.' || n || '@example.com', 'Bulk', 'Client ' || n FROM generate_series(1, $1) n`,
      [CONTACTS],
    );

    await eventually(
      async () => {
        const [row] = await database.query<{ linked: number }>(
          'SELECT count(*)::int AS linked FROM contacts WHERE ghl_contact_id IS NOT NULL',
        );
        return row!.linked === CONTACTS ? true : undefined;
      },
      120_000,
      'every contact linked',
    );

    expect(ghl.throttled).toBe(0);
    expect(ghl.actions.create).toBe(CONTACTS);
    const emails = [...ghl.contacts.values()].map((contact) => contact.email);
    expect(new Set(emails).size).toBe(CONTACTS);
    const [pending] = await database.query<{ rows: number }>(
      'SELECT count(*)::int AS rows FROM ghl_sync.contact_outbox WHERE pushed_at IS NULL',
    );
    expect(pending!.rows).toBe(0);
  }, 150_000);
});
