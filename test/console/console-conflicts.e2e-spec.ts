import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { launchBrowser } from '../support/browser.js';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SCREENSHOTS = join(PROJECT_ROOT, 'docs/screenshots');

/**
 * The console's conflicts page (ADR 0025) in a real chromium: a conflict the push recorded (GHL's
 * later first name won), shown with both values, and its losing value written back through the
 * normal path (a TrainU change the outbox captures, which the push sends on; that part is
 * test/outbound/contact-push.e2e-spec.ts's).
 */
describe('the operator console: conflicts', () => {
  let database: TestDatabase;
  let service: TestApp;
  let browser: Browser;
  let page: Page;
  let contactId: string;
  let conflictId: string;

  beforeAll(async () => {
    database = await createTestDatabase('console_conflicts');
    service = await startTestApp(database.url, { LOG_LEVEL: 'warn' });
    const [contact] = await database.query<{ id: string }>(
      "INSERT INTO contacts (email, first_name, ghl_contact_id) VALUES ('ann.conflict@example.com', 'Anna', 'ghl-ann') RETURNING id",
    );
    contactId = contact!.id;
    const [conflict] = await database.query<{ id: string }>(
      `INSERT INTO ghl_sync.sync_conflicts (contact_id, field, trainu_value, ghl_value, trainu_changed_at, ghl_changed_at, rule, winner)
       VALUES ($1, 'firstName', 'Ann', 'Anna', now() - interval '2 minutes', now() - interval '1 minute', 'two_way', 'GHL')
       RETURNING id`,
      [contactId],
    );
    conflictId = conflict!.id;
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1200, height: 700 } })).newPage();
    await page.goto(`${service.url}/console#conflicts`);
    await page.getByLabel('API key').fill(TEST_API_KEY);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.locator('[data-count="conflicts"]').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await database?.drop();
  });

  it('shows both values, the rule and the winner as the conflict log holds them', async () => {
    await expect(page.locator('[data-count="conflicts"]').innerText()).resolves.toBe('1');
    const row = page.locator(`tr[data-conflict="${conflictId}"]`);
    await expect(row.locator('[data-field="trainu"]').innerText()).resolves.toMatch(/^Ann\n/);
    await expect(row.locator('[data-field="ghl"]').innerText()).resolves.toMatch(/^Anna\n/);
    await expect(row.locator('[data-field="winner"]').innerText()).resolves.toBe('GHL');
    await expect(row.innerText()).resolves.toContain('ann.conflict@example.com');
    await page.screenshot({ path: join(SCREENSHOTS, 'console-conflicts.png'), fullPage: true });
  });

  it('re-applies the losing value as a TrainU change, recording who and when', async () => {
    const outboxBefore = await database.query('SELECT id FROM ghl_sync.contact_outbox WHERE contact_id = $1', [
      contactId,
    ]);
    await page.getByRole('button', { name: 'Re-apply losing value' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Wrote the losing firstName back: Ann.');
    await page.locator(`tr[data-conflict="${conflictId}"] [data-field="reapplied"]`).waitFor();

    const [contact] = await database.query('SELECT first_name FROM contacts WHERE id = $1', [contactId]);
    expect(contact).toEqual({ first_name: 'Ann' });
    const [conflict] = await database.query<{ reapplied_by: string; reapplied: boolean }>(
      'SELECT reapplied_by, reapplied_at IS NOT NULL AS reapplied FROM ghl_sync.sync_conflicts WHERE id = $1',
      [conflictId],
    );
    expect(conflict).toMatchObject({ reapplied: true, reapplied_by: expect.stringMatching(/^api-key:/) as string });
    const outbox = await database.query<{ changed_fields: string[] }>(
      'SELECT changed_fields FROM ghl_sync.contact_outbox WHERE contact_id = $1 ORDER BY id',
      [contactId],
    );
    expect(outbox).toHaveLength(outboxBefore.length + 1);
    expect(outbox.at(-1)!.changed_fields).toContain('firstName');
  });
});
