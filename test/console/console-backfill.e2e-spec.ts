import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { QUEUES } from '../../src/queue/queue.constants.js';
import { launchBrowser } from '../support/browser.js';
import { GhlApiStandIn } from '../support/ghl-api-stand-in.js';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SCREENSHOTS = join(PROJECT_ROOT, 'docs/screenshots');
const CONTACTS = 250;

/**
 * The console's backfill page (ADR 0025) in a real chromium: each object's checkpoint and latest
 * run; an operator starts a run (enqueued as BACKFILL_CRON enqueues one) and watches it finish,
 * against GHL's REST stand-in holding 250 contacts.
 */
describe('the operator console: backfill', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  let service: TestApp;
  let browser: Browser;
  let page: Page;
  const cell = (object: string, field: string) => page.locator(`tr[data-object="${object}"] [data-field="${field}"]`);

  beforeAll(async () => {
    database = await createTestDatabase('console_backfill');
    ghl = await GhlApiStandIn.start({ limits: { burst: 100, windowMs: 1_000 } });
    ghl.seedContacts(CONTACTS);
    service = await startTestApp(database.url, {
      GHL_API_BASE_URL: ghl.url,
      GHL_LOCATION_ID: ghl.locationId,
      GHL_PRIVATE_INTEGRATION_TOKEN: ghl.token,
      BACKFILL_CRON: 'off',
      OUTBOUND_MODE: 'off',
      LOG_LEVEL: 'warn',
    });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1200, height: 600 } })).newPage();
    await page.goto(`${service.url}/console#backfill`);
    await page.getByLabel('API key').fill(TEST_API_KEY);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.locator('tr[data-object="contacts"]').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await ghl?.stop();
    await database?.drop();
  });

  it('shows every object never run, then starts a run and watches it finish with what the database holds', async () => {
    for (const object of ['pipelines', 'contacts', 'opportunities', 'appointments']) {
      await expect(cell(object, 'status').innerText()).resolves.toBe('—');
    }
    await page.getByRole('button', { name: 'Start incremental run' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Enqueued an incremental run.');
    const jobs = await database.query('SELECT id FROM pgboss.job WHERE name = $1', [QUEUES.backfill]);
    expect(jobs).toHaveLength(1);

    await expect.poll(() => cell('contacts', 'status').innerText(), { timeout: 60_000 }).toBe('done');
    await expect.poll(() => cell('appointments', 'status').innerText(), { timeout: 60_000 }).toBe('done');
    const [run] = await database.query<{ status: string; records: number; full: boolean; finished: boolean }>(
      `SELECT status, records, "full", finished_at IS NOT NULL AS finished FROM ghl_sync.backfill_runs
        WHERE object = 'contacts' ORDER BY id DESC LIMIT 1`,
    );
    // The first run of an object lists everything (nothing to be incremental from), so it is full.
    expect(run).toEqual({ status: 'done', records: CONTACTS, full: true, finished: true });
    await expect(page.locator('tr[data-object="contacts"]').innerText()).resolves.toContain('full,');
    const [stored] = await database.query<{ count: number }>('SELECT count(*)::int AS count FROM contacts');
    expect(stored!.count).toBe(CONTACTS);
    await expect(cell('contacts', 'records').innerText()).resolves.toBe(String(CONTACTS));
    await page.screenshot({ path: join(SCREENSHOTS, 'console-backfill.png'), fullPage: true });
  }, 90_000);

  it('a full run tombstones what GHL no longer has, and says how many', async () => {
    const [gone] = [...ghl.contacts.keys()];
    ghl.contacts.delete(gone!);
    await page.getByRole('button', { name: 'Start full run' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Enqueued a full run.');
    await expect.poll(() => cell('contacts', 'tombstoned').innerText(), { timeout: 60_000 }).toBe('1');
    const [contact] = await database.query<{ deleted: boolean }>(
      'SELECT deleted_at IS NOT NULL AS deleted FROM contacts WHERE ghl_contact_id = $1',
      [gone],
    );
    expect(contact).toEqual({ deleted: true });
  }, 90_000);
});
