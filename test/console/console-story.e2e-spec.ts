import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { launchBrowser } from '../support/browser.js';
import { GhlApiStandIn } from '../support/ghl-api-stand-in.js';
import { outboundWaits, startPushingService } from '../support/outbound.js';
import { TEST_API_KEY, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SCREENSHOTS = join(PROJECT_ROOT, 'docs/screenshots');

/**
 * The console's contact story (ADR 0025) in a real chromium: a contact TrainU created, pushed to
 * GHL's stand-in, its echo recognised, then edited by a coach in GHL; found by email, phone or GHL
 * id, with every entry the database holds for it, newest first, with correlation ids.
 */
describe('the operator console: a contact’s story', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  let service: TestApp;
  let browser: Browser;
  let page: Page;
  let contactId: string;
  let ghlId: string;
  const { pushed, quiet } = outboundWaits(
    () => database,
    () => ghl,
  );
  const find = async (search: string) => {
    await page.getByLabel('Email, phone or GHL id').fill(search);
    await page.getByRole('button', { name: 'Find' }).click();
  };

  beforeAll(async () => {
    database = await createTestDatabase('console_story');
    ghl = await GhlApiStandIn.start();
    service = await startPushingService(database, ghl, { LOG_LEVEL: 'warn' });
    const [row] = await database.query<{ id: string }>(
      "INSERT INTO contacts (email, phone, first_name) VALUES ('story@example.com', '+14155550188', 'Stella') RETURNING id",
    );
    contactId = row!.id;
    ghlId = await pushed(contactId);
    await quiet();
    ghl.editContact(ghlId, { lastName: 'Story' });
    await quiet();
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1200, height: 700 } })).newPage();
    await page.goto(`${service.url}/console#story`);
    await page.getByLabel('API key').fill(TEST_API_KEY);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByLabel('Email, phone or GHL id').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await ghl?.stop();
    await database?.drop();
  });

  it('finds the contact by email and shows every entry the database holds, newest first', async () => {
    await find('Story@Example.com');
    await page.locator('[data-field="contact"]').waitFor();
    await expect(page.locator('[data-field="contact"]').innerText()).resolves.toBe('Stella Story');

    const [held] = await database.query<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM ghl_sync.sync_events WHERE object_id = $2) AS inbound_event,
              (SELECT count(*)::int FROM ghl_sync.outbound_plans WHERE contact_id = $1) AS outbound_plan,
              (SELECT count(*)::int FROM ghl_sync.outbound_writes WHERE contact_id = $1) AS outbound_write,
              (SELECT count(*)::int FROM ghl_sync.outbound_echoes WHERE ghl_contact_id = $2) AS echo`,
      [contactId, ghlId],
    );
    const shown: { kind: string | null; cells: string[] }[] = [];
    for (const row of await page.locator('table.story tbody tr').all()) {
      shown.push({ kind: await row.getAttribute('data-kind'), cells: await row.locator('td').allInnerTexts() });
    }
    const counted = Object.fromEntries(
      Object.keys(held!).map((kind) => [kind, shown.filter((row) => row.kind === kind).length]),
    );
    expect(counted).toEqual(held);
    expect(held!.inbound_event).toBeGreaterThanOrEqual(2); // the echo of the create, and the coach's edit
    expect(shown.map((row) => row.kind)).toContain('outbound_write');
    const write = shown.find((row) => row.kind === 'outbound_write')!;
    const [logged] = await database.query<{ fields: string[]; correlation_id: string }>(
      'SELECT fields, correlation_id FROM ghl_sync.outbound_writes WHERE contact_id = $1',
      [contactId],
    );
    expect(write.cells[2]).toBe(`wrote to GHL: create (${logged!.fields.join(', ')})`);
    expect(write.cells[3]).toBe(logged!.correlation_id);
    expect(logged!.correlation_id).toMatch(/^outbox:\d+$/);
    // Newest first, and no value of the contact in any summary.
    const times = await database.query<{ at: Date }>(
      `SELECT received_at AS at FROM ghl_sync.sync_events WHERE object_id = $1 ORDER BY received_at DESC LIMIT 1`,
      [ghlId],
    );
    expect(times).toHaveLength(1);
    expect(shown[0]!.kind).toBe('inbound_event');
    expect(JSON.stringify(shown)).not.toContain('story@example.com');
    await page.screenshot({ path: join(SCREENSHOTS, 'console-story.png'), fullPage: true });
  });

  it('finds the same contact by phone in another format and by GHL id; says when nothing matches', async () => {
    for (const search of ['(415) 555-0188', ghlId]) {
      await find(search);
      await expect.poll(() => page.locator('section.detail').innerText()).toContain(contactId);
    }
    await find('nobody@example.com');
    await expect.poll(() => page.locator('[data-field="no-match"]').innerText()).toBe('No contact matches.');
  });
});
