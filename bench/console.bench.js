#!/usr/bin/env node
// `npm run bench`, part 7: the operator console's page loads at scale (issue 16, ADR 0025): 100k
// contacts (with 300k bookings and 20k opportunities, as the GraphQL bench seeds them), 10,000 open
// dead letters, 50,000 inbox events and 2,000 conflicts in the last 24 h, duplicates in every minute,
// 2,000 events waiting, 5,000 pending outbox rows (beside those the seeding's inserts left through
// the triggers) and a year of backfill runs (35,000). Each page is opened in
// Debian's chromium with the key in the session until its data is on screen, beside two bare
// baselines in the same run: the page's GraphQL query alone (fetch from Node), and the console's
// shell alone (the key form, no data). Not a test: nothing here passes or fails.
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from '../dist-tools/test/support/browser.js';
import { BENCH_SCALE, seedReportingData } from '../dist-tools/test/support/reporting-data.js';
import { embeddedDatabaseUrl, machineLine, postgresVersion, startProcess, withClient } from './support.js';

const LOADS = Number(process.env.BENCH_CONSOLE_LOADS ?? 7);
const API_KEY = 'bench-key-0123456789abcdef';
const DEAD_LETTERS = 10_000;
const EVENTS = 50_000;
const CONFLICTS = 2_000;
const WAITING_EVENTS = 2_000;
const OUTBOX_PENDING = 5_000;
/** A year of 15-minute runs of four objects. */
const BACKFILL_RUNS = 35_000;

/** Each page: where it is, what on it means its data arrived, and the query it spends. */
const PAGES = [
  {
    title: 'overview',
    hash: 'overview',
    ready: '.chart canvas',
    query: `{ syncStatus { queueDepth deadLettersOpen outboxPending lastWebhookAt lastBackfillAt eventsProcessedLastHour }
      syncOverview { locations { locationId objects { object lastWebhookAt processedLastHour failedLastHour duplicatesLastHour
          lagP50Ms lagP99Ms queueDepth outboxPending deadLettersOpen conflictsOpen lastBackfill { full status records startedAt finishedAt } } }
        activity { minute applied stale duplicate ignored failed outboundWrites } }
      syncConflicts(first: 1) { totalCount } }`,
  },
  {
    title: 'dead letters (10,000 open)',
    hash: 'dead-letters',
    ready: 'tr[data-id]',
    query: `{ deadLetterClasses(status: OPEN) { errorClass queue count }
      deadLetters(status: OPEN, first: 50) { totalCount pageInfo { hasNextPage endCursor }
        edges { node { id queue errorClass reason attempts status lastFailedAt } } } }`,
  },
  {
    title: 'conflicts (2,000)',
    hash: 'conflicts',
    ready: 'tr[data-conflict]',
    query: `{ syncConflicts(first: 50) { totalCount pageInfo { hasNextPage endCursor }
      edges { node { id field trainuValue ghlValue trainuChangedAt ghlChangedAt rule winner createdAt
        reappliedAt reappliedBy contact { id email } } } } }`,
  },
  {
    title: "a contact's story (of 100,000)",
    hash: 'story',
    ready: 'table.story',
    search: 'contact50000@example.com',
    query: `{ contactStory(search: "contact50000@example.com") { matches contact { id email }
      entries { at kind summary correlationId } } }`,
  },
];

async function seed(databaseUrl) {
  await withClient(databaseUrl, async (client) => {
    await client.query('TRUNCATE contacts, pipelines CASCADE');
    await client.query(
      'TRUNCATE ghl_sync.sync_dead_letters, ghl_sync.sync_events, ghl_sync.sync_conflicts, ghl_sync.intake_duplicates, ghl_sync.contact_outbox, ghl_sync.backfill_runs, ghl_sync.sync_cursors',
    );
    await seedReportingData((sql, values) => client.query(sql, values), BENCH_SCALE);
    await client.query(
      `INSERT INTO ghl_sync.sync_dead_letters (queue, idempotency_key, correlation_id, payload, error_class, reason,
                                              playbook, attempts, first_failed_at, last_failed_at)
       SELECT 'sync.inbound-events', 'webhook:bench-' || n, 'bench-' || n,
              jsonb_build_object('eventId', gen_random_uuid(), 'correlationId', 'bench-' || n, 'locationId', 'seed-location',
                                 'eventType', (ARRAY['ContactUpdate', 'AppointmentUpdate', 'OpportunityStageUpdate'])[1 + n % 3]),
              (ARRAY['Unexpected', 'InvalidPayload', 'UpstreamRejected'])[1 + n % 3], 'bench failure ' || n,
              (ARRAY['unexpected.md', 'invalid-payload.md', 'upstream-rejected.md'])[1 + n % 3], 6,
              now() - interval '2 days' + n * interval '1 second', now() - interval '1 day' + n * interval '1 second'
         FROM generate_series(1, $1::int) n`,
      [DEAD_LETTERS],
    );
    await client.query(
      `INSERT INTO ghl_sync.sync_events (idempotency_key, type, location_id, object_id, correlation_id, outcome,
                                        attempts, received_at, processed_at, queued_at)
       SELECT 'webhook:bench-event-' || n, (ARRAY['ContactUpdate', 'AppointmentUpdate', 'OpportunityStageUpdate'])[1 + n % 3],
              'seed-location', 'seed-c-' || (1 + n % 100000), 'bench-event-' || n,
              (ARRAY['APPLIED', 'APPLIED', 'APPLIED', 'STALE', 'IGNORED', 'FAILED'])[1 + n % 6]::ghl_sync.sync_event_outcome, 1,
              now() - n * (interval '24 hours' / $1::int), now() - n * (interval '24 hours' / $1::int) + interval '40 ms', now()
         FROM generate_series(1, $1::int) n`,
      [EVENTS],
    );
    await client.query(
      `INSERT INTO ghl_sync.sync_conflicts (contact_id, field, trainu_value, ghl_value, trainu_changed_at, ghl_changed_at, rule, winner)
       SELECT c.id, 'firstName', 'T' || c.first_name, c.first_name, now() - interval '2 hours', now() - interval '1 hour', 'two_way', 'GHL'
         FROM (SELECT id, first_name FROM contacts ORDER BY created_at LIMIT $1) c`,
      [CONFLICTS],
    );
    // What the overview's per-object figures read besides: duplicates in every minute of the day,
    // events not yet processed, pending outbox rows, and a checkpoint with many runs per object.
    await client.query(
      `INSERT INTO ghl_sync.intake_duplicates (minute, location_id, type, deliveries)
       SELECT date_trunc('minute', now()) - m * interval '1 minute', 'seed-location', t, 1 + m % 4
         FROM generate_series(0, 1439) m, unnest(ARRAY['ContactUpdate', 'AppointmentUpdate', 'OpportunityStageUpdate']) t`,
    );
    await client.query(
      `INSERT INTO ghl_sync.sync_events (idempotency_key, type, location_id, object_id, correlation_id, received_at)
       SELECT 'webhook:bench-waiting-' || n, 'ContactUpdate', 'seed-location', 'seed-c-' || n, 'bench-waiting-' || n, now()
         FROM generate_series(1, $1::int) n`,
      [WAITING_EVENTS],
    );
    await client.query(
      `INSERT INTO ghl_sync.contact_outbox (contact_id, op, changed_fields)
       SELECT id, 'update', '{firstName}' FROM contacts ORDER BY created_at DESC LIMIT $1`,
      [OUTBOX_PENDING],
    );
    await client.query(
      `INSERT INTO ghl_sync.sync_cursors (location_id, object, last_completed_at)
       SELECT 'seed-location', o, now() FROM unnest(ARRAY['pipelines', 'contacts', 'opportunities', 'appointments']) o
       ON CONFLICT DO NOTHING`,
    );
    await client.query(
      `INSERT INTO ghl_sync.backfill_runs (location_id, object, "full", status, records, started_at, finished_at)
       SELECT 'seed-location', (ARRAY['pipelines', 'contacts', 'opportunities', 'appointments'])[1 + n % 4], n % 96 = 0, 'done',
              n % 500, now() - n * interval '15 minutes', now() - n * interval '15 minutes' + interval '20 seconds'
         FROM generate_series(1, $1::int) n`,
      [BACKFILL_RUNS],
    );
    await client.query('ANALYZE');
  });
}

async function graphqlOnce(url, query) {
  const started = performance.now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ query }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return performance.now() - started;
}

/** Opens `url#hash` in a fresh context with the key in the session; ms until `ready` is on screen. */
async function pageLoad(browser, url, { hash, ready, search }) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  await context.addInitScript((key) => sessionStorage.setItem('trainu-sync-console-key', key), API_KEY);
  const page = await context.newPage();
  const started = performance.now();
  await page.goto(`${url}/console#${hash}`);
  if (search) {
    await page.getByLabel('Email, phone or GHL id').fill(search);
    await page.getByRole('button', { name: 'Find' }).click();
  }
  await page.locator(ready).first().waitFor({ timeout: 30_000 });
  const ms = performance.now() - started;
  await context.close();
  return ms;
}

async function shellLoad(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const started = performance.now();
  await page.goto(`${url}/console`);
  await page.getByLabel('API key').waitFor();
  const ms = performance.now() - started;
  await context.close();
  return ms;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const cwd = mkdtempSync(join(tmpdir(), 'trainu-bench-console-'));
chmodSync(cwd, 0o755);
const given = process.env.BENCH_DATABASE_URL;
const service = startProcess(cwd, undefined, {
  SERVICE_ROLE: 'api',
  GRAPHQL_API_KEYS: API_KEY,
  ...(given && { DATABASE_URL: given }),
});
let browser;
try {
  const url = (await service.listening).url;
  const databaseUrl = given ?? embeddedDatabaseUrl(cwd, 'trainu_sync');
  const version = await postgresVersion(databaseUrl);
  const seeding = performance.now();
  await seed(databaseUrl);
  console.error(`console bench: seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
  browser = await launchBrowser();
  const shell = [];
  for (let load = 0; load < LOADS; load += 1) shell.push(await shellLoad(browser, url));
  console.log(`\n## Console page loads (${LOADS} loads each, median)`);
  console.log(`machine: ${machineLine()}; PostgreSQL ${version}`);
  console.log(`bare shell (the key form, no data): ${median(shell).toFixed(0)} ms\n`);
  console.log('| page | page load | its GraphQL query alone | page − query |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const each of PAGES) {
    const loads = [];
    const queries = [];
    await pageLoad(browser, url, each); // warm-up
    for (let load = 0; load < LOADS; load += 1) {
      queries.push(await graphqlOnce(url, each.query));
      loads.push(await pageLoad(browser, url, each));
    }
    const page = median(loads);
    const query = median(queries);
    console.log(`| ${each.title} | ${page.toFixed(0)} ms | ${query.toFixed(0)} ms | ${(page - query).toFixed(0)} ms |`);
  }
} finally {
  await browser?.close();
  await service.stop();
}
