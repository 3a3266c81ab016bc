import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { launchBrowser } from '../support/browser.js';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { postGraphql } from '../support/graphql-client.js';
import { eventually, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SCREENSHOTS = join(PROJECT_ROOT, 'docs/screenshots');

/**
 * Beside the webhooks the test delivers: an appointment event received and not processed, dead
 * letters (two of contacts, one of an outbound push, one of appointments, one discarded), outbox
 * rows (two pending, one pushed), conflicts (one open, one re-applied, one older than 24 h) and
 * backfill runs (contacts: a failed run, then a full one done with 42 records; pipelines: an
 * incremental one running; opportunities: a full one just started, with no checkpoint row yet).
 */
async function seedWhatWaitsAndFailed(database: TestDatabase, locationId: string): Promise<void> {
  await database.query(
    `INSERT INTO ghl_sync.sync_events (idempotency_key, type, location_id, correlation_id, outcome)
     VALUES ('waiting-appointment', 'AppointmentUpdate', $1, 'corr-waiting', 'PENDING')`,
    [locationId],
  );
  const deadLetter = (eventType: string, status: string) =>
    database.query(
      `INSERT INTO ghl_sync.sync_dead_letters (queue, payload, error_class, reason, playbook, attempts, status, first_failed_at, last_failed_at)
       VALUES ('sync.inbound-events', jsonb_build_object('locationId', $1::text, 'eventType', $2::text, 'correlationId', 'corr-dead'),
               'Failure', 'it failed', 'replay it', 6, $3::ghl_sync.dead_letter_status, now(), now())`,
      [locationId, eventType, status],
    );
  await deadLetter('ContactUpdate', 'OPEN');
  await deadLetter('ContactCreate', 'OPEN');
  await deadLetter('AppointmentCreate', 'OPEN');
  await deadLetter('ContactUpdate', 'DISCARDED');
  // An outbound push's job names no location: it counts for GHL_LOCATION_ID.
  await database.query(
    `INSERT INTO ghl_sync.sync_dead_letters (queue, payload, error_class, reason, playbook, attempts, first_failed_at, last_failed_at)
     VALUES ('sync.outbound-contacts', '{"eventType": "ContactOutbound", "direction": "outbound", "contactId": "c-1"}',
             'UpstreamRejected', 'GHL answered 422', 'fix it', 6, now(), now())`,
  );
  const [contact] = await database.query<{ id: string }>('SELECT id FROM contacts WHERE ghl_location_id = $1 LIMIT 1', [
    locationId,
  ]);
  await database.query(
    `INSERT INTO ghl_sync.contact_outbox (contact_id, op, changed_fields, pushed_at)
     VALUES ($1, 'update', '{firstName}', NULL), ($1, 'update', '{lastName}', NULL), ($1, 'update', '{email}', now())`,
    [contact!.id],
  );
  await database.query(
    `INSERT INTO ghl_sync.sync_conflicts (contact_id, field, rule, winner, created_at, reapplied_at)
     VALUES ($1, 'firstName', 'latest_wins', 'ghl', now(), NULL),
            ($1, 'lastName', 'latest_wins', 'ghl', now(), now()),
            ($1, 'email', 'latest_wins', 'trainu', now() - interval '2 days', NULL)`,
    [contact!.id],
  );
  await database.query(
    `INSERT INTO ghl_sync.sync_cursors (location_id, object, last_completed_at) VALUES ($1, 'contacts', now()), ($1, 'pipelines', NULL)`,
    [locationId],
  );
  await database.query(
    `INSERT INTO ghl_sync.backfill_runs (location_id, object, "full", status, records, error, finished_at)
     VALUES ($1, 'contacts', false, 'failed', 7, 'GHL answered 500', now()),
            ($1, 'contacts', true, 'done', 42, NULL, now()),
            ($1, 'pipelines', false, 'running', 3, NULL, NULL),
            ($1, 'opportunities', true, 'running', 0, NULL, NULL)`,
    [locationId],
  );
}

/**
 * The operator console (ADR 0025) in a real headless chromium against the real service: the key
 * gate, and the overview's figures against what the database holds.
 */
describe('the operator console: key gate and overview', () => {
  let database: TestDatabase;
  let service: TestApp;
  let browser: Browser;
  const ghl = new GhlStandIn();

  const openConsole = async (): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await page.goto(`${service.url}/console`);
    return page;
  };
  const signIn = async (page: Page, key: string) => {
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Open' }).click();
  };

  beforeAll(async () => {
    database = await createTestDatabase('console_overview');
    // The location outbound work counts for; nothing here calls GHL's REST API.
    service = await startTestApp(database.url, {
      ...ghl.env(),
      GHL_LOCATION_ID: ghl.locationId,
      GHL_PRIVATE_INTEGRATION_TOKEN: 'pit-not-used',
      GHL_API_BASE_URL: 'http://127.0.0.1:9',
      BACKFILL_CRON: 'off',
      OUTBOUND_MODE: 'off',
      LOG_LEVEL: 'warn',
    });
    browser = await launchBrowser();
    const events = Array.from({ length: 5 }, () => ghl.contactEvent('ContactCreate'));
    for (const event of events) expect((await ghl.deliver(service.url, event)).status).toBe(200);
    // GHL delivers one of them again: a duplicate, kept out of the inbox and counted.
    expect(await (await ghl.deliver(service.url, events[0]!)).json()).toEqual({ outcome: 'duplicate' });
    await ghl.deliver(service.url, ghl.appointmentEvent('AppointmentCreate'));
    await eventually(async () => {
      const [row] = await database.query<{ pending: number }>(
        "SELECT count(*)::int AS pending FROM ghl_sync.sync_events WHERE outcome = 'PENDING'",
      );
      return row!.pending === 0 ? true : undefined;
    });
    await seedWhatWaitsAndFailed(database, ghl.locationId);
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await database?.drop();
  });

  it('without a key shows the key form and nothing else; the API answers 401', async () => {
    const page = await openConsole();
    await expect(page.getByLabel('API key').isVisible()).resolves.toBe(true);
    const text = await page.locator('body').innerText();
    expect(text).not.toContain(ghl.locationId);
    expect(await page.locator('[data-tile]').count()).toBe(0);
    // The page's own origin, without a key: refused, nothing in the answer.
    const answer = await page.evaluate(async () => {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ syncStatus { queueDepth } }' }),
      });
      return { status: response.status, body: await response.text() };
    });
    expect(answer.status).toBe(401);
    expect(answer.body).not.toContain('queueDepth');

    await signIn(page, 'not-the-key-0123456789');
    await expect(page.getByRole('alert').innerText()).resolves.toBe('That key was refused.');
    expect(await page.locator('[data-tile]').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-key.png') });
  });

  it('with the key shows each location’s figures as the database holds them, and keeps the key for the session', async () => {
    const page = await openConsole();
    await signIn(page, TEST_API_KEY);
    await page.locator('[data-tile="queue-depth"]').waitFor();

    const rows = await database.query<{ object: string; processed: number; failed: number }>(
      `SELECT CASE WHEN type LIKE 'Contact%' THEN 'contacts' WHEN type LIKE 'Appointment%' THEN 'appointments' END AS object,
              count(*)::int AS processed,
              (count(*) FILTER (WHERE outcome IN ('FAILED', 'DEAD_LETTERED')))::int AS failed
         FROM ghl_sync.sync_events WHERE location_id = $1 AND processed_at > now() - interval '1 hour' GROUP BY 1`,
      [ghl.locationId],
    );
    expect(rows.find((row) => row.object === 'contacts')?.processed).toBe(5);
    for (const row of rows) {
      const shown = page.locator(`tr[data-location="${ghl.locationId}"][data-object="${row.object}"]`);
      await expect(shown.locator('[data-field="processed"]').innerText()).resolves.toBe(String(row.processed));
      await expect(shown.locator('[data-field="failed"]').innerText()).resolves.toBe(String(row.failed));
    }
    const [totals] = await database.query<{ processed: number; open: number }>(
      `SELECT (SELECT count(*)::int FROM ghl_sync.sync_events WHERE processed_at > now() - interval '1 hour') AS processed,
              (SELECT count(*)::int FROM ghl_sync.sync_dead_letters WHERE status = 'OPEN') AS open`,
    );
    await expect(page.locator('[data-tile="processed-last-hour"]').innerText()).resolves.toBe(
      String(totals!.processed),
    );
    await expect(page.locator('[data-tile="dead-letters-open"]').innerText()).resolves.toBe(String(totals!.open));

    // What waits and what failed, per location and object, as seedWhatWaitsAndFailed left it.
    const cells = async (object: string) => {
      const row = page.locator(`tr[data-location="${ghl.locationId}"][data-object="${object}"]`);
      const read = (field: string) => row.locator(`[data-field="${field}"]`).innerText();
      return {
        duplicates: await read('duplicates'),
        queue: await read('queue'),
        outbox: await read('outbox'),
        deadLetters: await read('dead-letters'),
        conflicts: await read('conflicts'),
        lastBackfill: await read('last-backfill'),
      };
    };
    const { lastBackfill, ...contacts } = await cells('contacts');
    expect(contacts).toEqual({ duplicates: '1', queue: '0', outbox: '2', deadLetters: '3', conflicts: '1' });
    expect(lastBackfill).toMatch(/^full, done \d+ s ago, 42 records$/);
    expect(await cells('appointments')).toEqual({
      duplicates: '0',
      queue: '1',
      outbox: '0',
      deadLetters: '1',
      conflicts: '0',
      lastBackfill: '—',
    });
    // An object that only the backfill reads has a row too.
    expect((await cells('pipelines')).lastBackfill).toMatch(/^incremental, running started \d+ s ago, 3 records$/);
    // A run just started has no checkpoint row yet: it shows all the same.
    expect((await cells('opportunities')).lastBackfill).toMatch(/^full, running started \d+ s ago, 0 records$/);
    // The chart's duplicate series holds the one redelivery.
    const chart = await postGraphql(service.url, '{ syncOverview { activity { duplicate applied } } }', {
      apiKey: TEST_API_KEY,
    });
    const { activity } = (
      (await chart.json()) as { data: { syncOverview: { activity: { duplicate: number; applied: number }[] } } }
    ).data.syncOverview;
    expect(activity.reduce((sum, minute) => sum + minute.duplicate, 0)).toBe(1);
    expect(activity.reduce((sum, minute) => sum + minute.applied, 0)).toBe(6);
    await page.locator('.chart canvas').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-overview.png'), fullPage: true });

    // Entered once per browser session: a reload opens straight on the overview.
    await page.reload();
    await page.locator('[data-tile="queue-depth"]').waitFor();
    await page.getByRole('button', { name: 'Forget key' }).click();
    await expect(page.getByLabel('API key').isVisible()).resolves.toBe(true);
  });

  it('serves only its own files, with a policy that allows nothing else', async () => {
    const page = await fetch(`${service.url}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self' 'sha256-/);
    expect(await page.text()).not.toContain(ghl.locationId);
    for (const path of ['/console/..%2Fpackage.json', '/console/vendor/..%2F..%2F.env', '/console/nothing.js']) {
      expect((await fetch(`${service.url}${path}`)).status).toBe(404);
    }
    const vendor = await fetch(`${service.url}/console/vendor/preact.mjs`);
    expect(vendor.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });
});
