import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { launchBrowser } from '../support/browser.js';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { eventually, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SCREENSHOTS = join(PROJECT_ROOT, 'docs/screenshots');

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
    service = await startTestApp(database.url, { ...ghl.env(), LOG_LEVEL: 'warn' });
    browser = await launchBrowser();
    for (let index = 0; index < 5; index += 1) {
      expect((await ghl.deliver(service.url, ghl.contactEvent('ContactCreate'))).status).toBe(200);
    }
    await ghl.deliver(service.url, ghl.appointmentEvent('AppointmentCreate'));
    await eventually(async () => {
      const [row] = await database.query<{ pending: number }>(
        "SELECT count(*)::int AS pending FROM ghl_sync.sync_events WHERE outcome = 'PENDING'",
      );
      return row!.pending === 0 ? true : undefined;
    });
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
