import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { launchBrowser } from '../support/browser.js';
import { failContactWrites, installContactFailures } from '../support/failure-injection.js';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { eventually, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SCREENSHOTS = join(PROJECT_ROOT, 'docs/screenshots');

interface LetterRow {
  id: string;
  status: string;
  resolution_note: string | null;
  outcome: string;
}

/**
 * The console's dead letters page (ADR 0025) in a real chromium against the real service: contact
 * writes fail in Postgres (a trigger) until the retries are spent, then the operator replays one,
 * discards one with a reason and replays the rest of the class, and sees each outcome in the database.
 */
describe('the operator console: dead letters', () => {
  let database: TestDatabase;
  let service: TestApp;
  let browser: Browser;
  let page: Page;
  const ghl = new GhlStandIn();
  const contacts = Array.from({ length: 4 }, () => ghl.contactEvent('ContactCreate'));

  const letters = () =>
    database.query<LetterRow & { ghl_id: string }>(
      `SELECT d.id, d.status, d.resolution_note, e.outcome, e.object_id AS ghl_id
         FROM ghl_sync.sync_dead_letters d JOIN ghl_sync.sync_events e ON e.idempotency_key = d.idempotency_key
        ORDER BY d.created_at`,
    );
  const letterOf = async (index: number) =>
    (await letters()).find((letter) => letter.ghl_id === (contacts[index]!.id as string))!;
  const rowOf = (id: string) => page.locator(`tr[data-id="${id}"]`);

  beforeAll(async () => {
    database = await createTestDatabase('console_dead_letters');
    service = await startTestApp(database.url, { ...ghl.env(), SYNC_RETRY_DELAYS: '1s', LOG_LEVEL: 'warn' });
    await installContactFailures(database);
    // Every write of these contacts fails: the first attempt and its one retry, then a dead letter.
    for (const contact of contacts) await failContactWrites(database, contact.id as string, 1_000);
    for (const contact of contacts) expect((await ghl.deliver(service.url, contact)).status).toBe(200);
    await eventually(async () => ((await letters()).length === contacts.length ? true : undefined), 30_000);
    // The cause is fixed; a replay can now succeed.
    await database.query('DELETE FROM test_contact_failures');
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1200, height: 1000 } })).newPage();
    await page.goto(`${service.url}/console#dead-letters`);
    await page.getByLabel('API key').fill(TEST_API_KEY);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.locator('[data-count="dead-letters"]').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await database?.drop();
  });

  it('lists the open dead letters as the database holds them, by class and queue', async () => {
    await expect(page.locator('[data-count="dead-letters"]').innerText()).resolves.toBe('4');
    const options = (name: string) => page.locator(`select[name="${name}"] option`).allInnerTexts();
    expect(await options('class')).toEqual(['every class', 'Unexpected (4)']);
    expect(await options('queue')).toEqual(['every queue', 'sync.inbound-events (4)']);
    for (const letter of await letters()) await rowOf(letter.id).waitFor();
    // A queue with no letter of the status shown lists none.
    await page.locator('select[name="status"]').selectOption('REPLAYED');
    await page.locator('select[name="queue"]').selectOption('sync.inbound-events');
    await expect.poll(() => page.locator('[data-count="dead-letters"]').innerText()).toBe('0');
    await page.locator('select[name="status"]').selectOption('OPEN');
    await expect.poll(() => page.locator('[data-count="dead-letters"]').innerText()).toBe('4');
    await page.locator('select[name="queue"]').selectOption('');
  });

  it('shows a letter’s reason, playbook and payload with personal fields masked until asked for', async () => {
    const letter = await letterOf(0);
    await rowOf(letter.id).click();
    const detail = page.locator('section.detail');
    await expect(detail.locator('[data-field="reason"]').innerText()).resolves.toContain(
      `injected failure for contact ${contacts[0]!.id as string}`,
    );
    await expect(detail.locator('.markdown h3').first().innerText()).resolves.toBe('Unexpected');
    const masked = await detail.locator('[data-field="payload"]').innerText();
    expect(masked).toContain('"email": "•••"');
    expect(masked).not.toContain(contacts[0]!.email as string);
    expect(masked).toContain(contacts[0]!.id as string); // ids are not personal
    await page.screenshot({ path: join(SCREENSHOTS, 'console-dead-letters.png'), fullPage: true });
    await detail.getByLabel('Show personal fields').check();
    await expect
      .poll(() => detail.locator('[data-field="payload"]').innerText())
      .toContain(`"email": "${contacts[0]!.email as string}"`);
  });

  it('replays one, and the work is done', async () => {
    const letter = await letterOf(0);
    await page.locator('section.detail').getByRole('button', { name: 'Replay' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toBe(`Replayed ${letter.id}.`);
    await eventually(async () => ((await letterOf(0)).outcome === 'APPLIED' ? true : undefined));
    expect(await letterOf(0)).toMatchObject({ status: 'REPLAYED', outcome: 'APPLIED' });
    expect(await database.query('SELECT 1 FROM contacts WHERE ghl_contact_id = $1', [contacts[0]!.id])).toHaveLength(1);
    await expect(rowOf(letter.id).count()).resolves.toBe(0); // no longer open
  });

  it('discards one only with a reason, and keeps the reason', async () => {
    const letter = await letterOf(1);
    await rowOf(letter.id).click();
    const detail = page.locator('section.detail');
    await detail.getByRole('button', { name: 'Discard' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toContain('needs a reason');
    expect((await letterOf(1)).status).toBe('OPEN');

    await page.reload();
    await rowOf(letter.id).click();
    await page.locator('section.detail').getByLabel('Reason').fill('test contact, deleted in GHL');
    await page.locator('section.detail').getByRole('button', { name: 'Discard' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toBe(`Discarded ${letter.id}.`);
    expect(await letterOf(1)).toMatchObject({ status: 'DISCARDED', resolution_note: 'test contact, deleted in GHL' });
    expect(await database.query('SELECT 1 FROM contacts WHERE ghl_contact_id = $1', [contacts[1]!.id])).toHaveLength(0);
  });

  it('replays every open letter of a class at once', async () => {
    await page.locator('select[name="class"]').selectOption({ label: 'Unexpected (2)' });
    await page.getByRole('button', { name: 'Replay every open Unexpected' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Replayed 2 dead letter(s) of Unexpected.');
    await eventually(async () =>
      (await letters()).filter((letter) => letter.outcome === 'APPLIED').length === 3 ? true : undefined,
    );
    expect((await letters()).map((letter) => letter.status).sort()).toEqual([
      'DISCARDED',
      'REPLAYED',
      'REPLAYED',
      'REPLAYED',
    ]);
    await expect.poll(() => page.locator('[data-count="dead-letters"]').innerText()).toBe('0');
  });

  it('pages through more letters than a page holds, forward and back, each letter once', async () => {
    await database.query(
      `INSERT INTO ghl_sync.sync_dead_letters (queue, payload, error_class, reason, playbook, attempts, status, first_failed_at, last_failed_at)
       SELECT 'sync.inbound-events', '{}'::jsonb, 'Unexpected', 'old failure ' || n, 'replay it', 6, 'DISCARDED',
              now() - n * interval '1 minute', now() - n * interval '1 minute'
         FROM generate_series(1, 120) AS n`,
    );
    const inDatabase = await database.query<{ id: string }>(
      "SELECT id FROM ghl_sync.sync_dead_letters WHERE status = 'DISCARDED'",
    );
    expect(inDatabase).toHaveLength(121); // the 120 and the one discarded above
    await page.locator('select[name="status"]').selectOption('DISCARDED');
    await expect.poll(() => page.locator('[data-count="dead-letters"]').innerText()).toBe('121');
    // One evaluation in the page per read: the rows' ids, in order.
    const shownIds = () =>
      page.evaluate<string[]>(
        "[...document.querySelectorAll('table.dead-letters tbody tr')].map((row) => row.dataset.id)",
      );
    const pages: string[][] = [await shownIds()];
    for (const size of [50, 21]) {
      const before = pages.at(-1)![0];
      await page.getByRole('button', { name: 'Next page' }).click();
      await expect.poll(async () => (await shownIds())[0]).not.toBe(before);
      const ids = await shownIds();
      expect(ids).toHaveLength(size);
      pages.push(ids);
    }
    expect(pages[0]).toHaveLength(50);
    await expect(page.getByRole('button', { name: 'Next page' }).count()).resolves.toBe(0);
    const everyId = pages.flat();
    expect(new Set(everyId).size).toBe(everyId.length);
    expect(everyId.sort()).toEqual(inDatabase.map((row) => row.id).sort());

    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(shownIds).toEqual(pages[1]);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(shownIds).toEqual(pages[0]);
    await expect(page.getByRole('button', { name: 'Previous page' }).count()).resolves.toBe(0);
  });

  it('keeps the answer of the latest choice when an earlier one comes back after it', async () => {
    const [replayed] = await database.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM ghl_sync.sync_dead_letters WHERE status = 'REPLAYED'",
    );
    const [open] = await database.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM ghl_sync.sync_dead_letters WHERE status = 'OPEN'",
    );
    expect(replayed!.count).not.toBe(open!.count);
    const shownCount = () => page.locator('[data-count="dead-letters"]').innerText();
    // The list of open letters answers a second late: after the list of replayed ones asked next.
    let delayed = false;
    await page.route('**/graphql', async (route) => {
      if (!delayed && (route.request().postData() ?? '').includes('"status":"OPEN"')) {
        delayed = true;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      await route.continue();
    });
    try {
      await page.locator('select[name="status"]').selectOption('OPEN');
      await page.locator('select[name="status"]').selectOption('REPLAYED');
      await expect.poll(shownCount).toBe(String(replayed!.count));
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // the late answer has come back by now
      expect(delayed).toBe(true);
      await expect(shownCount()).resolves.toBe(String(replayed!.count));
    } finally {
      await page.unroute('**/graphql');
    }
  });
});
