import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackfillScheduler } from '../../src/backfill/backfill.scheduler.js';
import { GhlApiStandIn } from '../support/ghl-api-stand-in.js';
import { ServiceProcess } from '../support/service-process.js';
import { eventually, startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * BACKFILL_CRON in a cluster of two service instances, and `npm run backfill` as an operator runs
 * it (plain progress lines when its output is not a terminal, a summary, exit codes).
 */
describe('scheduled and on-demand backfill', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  let instances: TestApp[];
  let cwd: string;

  const ghlEnv = () => ({
    GHL_API_BASE_URL: ghl.url,
    GHL_LOCATION_ID: ghl.locationId,
    GHL_PRIVATE_INTEGRATION_TOKEN: ghl.token,
  });
  const backfillJobs = () =>
    database.query<{ state: string }>("SELECT state FROM pgboss.job WHERE name = 'sync.backfill'");
  const cli = (args: string[], env: Record<string, string> = {}) =>
    new ServiceProcess(cwd, { DATABASE_URL: database.url, ...ghlEnv(), ...env }, 'dist/cli/backfill.js', args);

  beforeAll(async () => {
    database = await createTestDatabase('backfill_scheduled');
    ghl = await GhlApiStandIn.start();
    const contacts = ghl.seedContacts(1_200);
    ghl.seedOpportunities(150, ghl.seedPipeline(), contacts);
    ghl.seedAppointments(60, contacts);
    const env = { ...ghlEnv(), BACKFILL_CRON: '0 3 * * *' };
    instances = [await startTestApp(database.url, env), await startTestApp(database.url, env)];
    cwd = mkdtempSync(join(tmpdir(), 'trainu-backfill-cli-'));
  });

  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await ghl.stop();
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('every instance schedules BACKFILL_CRON, a tick enqueues one job across them, and a worker runs it', async () => {
    for (const instance of instances) {
      const cron = instance.app.get(SchedulerRegistry).getCronJob('backfill');
      expect(cron.cronTime.source).toBe('0 3 * * *');
      expect(cron.isActive).toBe(true);
    }
    // Both instances tick at 03:00 (their clocks a few hundred milliseconds apart).
    const tick = new Date('2026-11-30T03:00:00.120Z');
    const enqueued = await Promise.all(
      instances.map((instance, index) =>
        instance.app.get(BackfillScheduler).enqueue(new Date(tick.getTime() + index * 300)),
      ),
    );
    expect(enqueued.filter((id) => id !== null)).toHaveLength(1);
    expect(await backfillJobs()).toHaveLength(1);

    await eventually(
      async () => ((await backfillJobs())[0]?.state === 'completed' ? true : undefined),
      60_000,
      'the backfill job to complete',
    );
    const cursors = await database.query<{ object: string; last_completed_at: Date | null; cursor: unknown }>(
      'SELECT object, last_completed_at, cursor FROM ghl_sync.sync_cursors ORDER BY object',
    );
    expect(cursors.map((row) => [row.object, row.last_completed_at !== null, row.cursor])).toEqual([
      ['appointments', true, null],
      ['contacts', true, null],
      ['opportunities', true, null],
      ['pipelines', true, null],
    ]);
    const [counts] = await database.query<{ contacts: number; opportunities: number; bookings: number }>(
      `SELECT (SELECT count(*)::int FROM contacts) AS contacts, (SELECT count(*)::int FROM opportunities) AS opportunities,
              (SELECT count(*)::int FROM bookings) AS bookings`,
    );
    expect(counts).toEqual({ contacts: 1_200, opportunities: 150, bookings: 60 });
    // The next tick is another job; it runs before the next test, whose CLI run would find it busy.
    expect(await instances[0]!.app.get(BackfillScheduler).enqueue(new Date('2026-12-01T03:00:00Z'))).not.toBeNull();
    await eventually(
      async () => ((await backfillJobs()).every((job) => job.state === 'completed') ? true : undefined),
      60_000,
      'the second backfill job to complete',
    );
  }, 90_000);

  it('npm run backfill: plain progress lines off a terminal, a summary per object, exit 0', async () => {
    const contact = [...ghl.contacts.values()][0]!;
    contact.firstName = 'Renamed';
    contact.dateUpdated = new Date().toISOString();

    const run = cli(['--objects', 'contacts,pipelines']);
    expect(await run.exited, run.output()).toBe(0);
    // Incremental (a full run completed before): only what changed since, with the overlap.
    expect(run.stdout.filter((line) => line.startsWith('contacts:'))).toEqual([
      expect.stringMatching(/^contacts: 1 records in 1 pages in [\d.]+ s · incremental$/),
    ]);
    expect(run.stdout.filter((line) => line.startsWith('pipelines:'))).toHaveLength(1);
    expect(run.stderr.filter((line) => line.startsWith('contacts: '))).toContainEqual(
      expect.stringMatching(/^contacts: 1\/1 records · 1 pages · \d+\/s · ETA 0 s$/),
    );
    const [stored] = await database.query<{ first_name: string }>(
      'SELECT first_name FROM contacts WHERE ghl_contact_id = $1',
      [contact.id],
    );
    expect(stored!.first_name).toBe('Renamed');
  });

  it('npm run backfill refuses bad arguments and a missing GHL configuration with exit 2 and the reason', async () => {
    const unknown = cli(['--objects', 'contacts,invoices']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.stdout.join('\n')).toContain('unknown object(s): invoices');

    const badSince = cli(['--since', 'yesterday']);
    expect(await badSince.exited).toBe(2);
    expect(badSince.stdout.join('\n')).toContain('--since is not a date: yesterday');

    const both = cli(['--since', '2026-11-01T00:00:00Z', '--full']);
    expect(await both.exited).toBe(2);
    expect(both.stdout.join('\n')).toContain('--since and --full exclude each other');

    const unconfigured = new ServiceProcess(cwd, { DATABASE_URL: database.url }, 'dist/cli/backfill.js');
    expect(await unconfigured.exited).toBe(2);
    expect(unconfigured.stdout.join('\n')).toContain('GHL_LOCATION_ID and GHL_PRIVATE_INTEGRATION_TOKEN must be set');
  });

  it('a GHL outage fails the object with exit 1 and keeps its checkpoint; the next run resumes it', async () => {
    // Page 1 is written and checkpointed; page 2 (1,200 contacts in pages of 500) fails.
    ghl.injectFailures({ delayMs: 0 }, { status: 503 });
    const failing = cli(['--objects', 'contacts', '--full']);
    expect(await failing.exited).toBe(1);
    expect(failing.stdout.join('\n')).toMatch(/contacts: FAILED \(.*\); the next run resumes from its checkpoint/);

    const again = cli(['--objects', 'contacts', '--full']);
    expect(await again.exited, again.output()).toBe(0);
    expect(again.stdout.join('\n')).toMatch(
      /contacts: 1200 records in 3 pages in [\d.]+ s · full, 0 tombstoned · resumed from a checkpoint/,
    );
  });
});
