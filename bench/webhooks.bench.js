#!/usr/bin/env node
// `npm run bench`, part 2: how many signed GHL ContactUpdate deliveries per second POST /webhooks/ghl
// accepts (verified, validated, committed to the inbox), and at what latency, beside a bare node:http
// + pg server doing the same durable work (verify, insert the inbox row), and that server also
// enqueueing a pg-boss job per row (the intake's work before ADR 0017), all on the same embedded
// Postgres in this run; then the same intake while GraphQL clients send it hostile queries (refused)
// and heavy reporting reads (served from the read API's own pool). BENCH_WEBHOOK_GRAPHQL=0 skips
// those two rows. Not a test: nothing here passes or fails.
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  aliasedContactsQuery,
  nestedContactsQuery,
  seedContactsWithBookings,
} from '../dist-tools/test/support/hostile-queries.js';
import { embeddedDatabaseUrl, load, machineLine, postgresVersion, ROOT, startProcess } from './support.js';

const DURATION_SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_WEBHOOK_CONNECTIONS ?? 50);
/** A second, lighter load: latency when the machine is not saturated. */
const LIGHT_CONNECTIONS = Number(process.env.BENCH_WEBHOOK_LIGHT_CONNECTIONS ?? 5);
/** More signed bodies than either server can take in the run, so every request is a new delivery. */
const DELIVERIES = Number(process.env.BENCH_WEBHOOK_DELIVERIES ?? 150_000);
const WITH_GRAPHQL = process.env.BENCH_WEBHOOK_GRAPHQL !== '0';
/** Rounds of the three servers at CONNECTIONS, in turn; the ratio printed is the median round's. */
const ROUNDS = Number(process.env.BENCH_WEBHOOK_ROUNDS ?? 1);

/** GraphQL clients running beside the intake load in the last two rows. */
const GRAPHQL_CONNECTIONS = Number(process.env.BENCH_GRAPHQL_CONNECTIONS ?? 10);
const API_KEY = 'bench-key-0123456789abcdef';
/** A 20-level contacts → bookings → contact … query and 500 aliases: what took the service down before its limits. */
const HOSTILE_QUERIES = [nestedContactsQuery(20), aliasedContactsQuery(500)];
/** A reporting tool's heaviest legal page: 200 contacts with tags, custom fields and bookings. */
const REPORT_QUERY =
  '{ contacts(first: 200) { totalCount edges { node { id email phone tags customFields { fieldId value } bookings { startsAt status } } } } }';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();

/** Realistic signed ContactUpdate deliveries, each with its own webhookId and contact. */
function signedDeliveries(count) {
  const timestamp = new Date().toISOString();
  return Array.from({ length: count }, (_, index) => {
    const body = JSON.stringify({
      type: 'ContactUpdate',
      locationId: 've9EPM428h8vShlRW1KT',
      id: `bench${String(index).padStart(15, '0')}`,
      email: `client.${index}@example.com`,
      phone: '+12133734253',
      firstName: 'Jordan',
      lastName: `Client${index}`,
      name: `Jordan Client${index}`,
      tags: ['lead', 'boot camp'],
      customFields: [{ id: 'BcdmQEsNgz6AVpgLVUJ0', value: 'XYZ Corp' }],
      address1: '3535 1st St N',
      city: 'Dolomite',
      country: 'US',
      dnd: false,
      source: 'public api',
      dateAdded: '2026-11-26T12:41:02.193Z',
      appId: '6578278e879ad2646715ba9c',
      versionId: '6578278e879ad2646715ba9d',
      timestamp,
      webhookId: randomUUID(),
    });
    return { body, signature: sign(null, Buffer.from(body), privateKey).toString('base64') };
  });
}

/** GraphQL load beside the intake: `queries` round-robin on GRAPHQL_CONNECTIONS connections. */
function graphqlLoad(title, url, queries) {
  let next = 0;
  return load(title, {
    url: `${url}/graphql`,
    connections: GRAPHQL_CONNECTIONS,
    duration: DURATION_SECONDS,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => ({
          ...request,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
          body: JSON.stringify({ query: queries[next++ % queries.length] }),
        }),
      },
    ],
  });
}

async function seedReportingData(databaseUrl) {
  const database = new pg.Client({ connectionString: databaseUrl });
  await database.connect();
  await seedContactsWithBookings({ query: async (sql, values) => (await database.query(sql, values)).rows }, 2000, 3);
  await database.end();
}

/** Seconds of load before a server's first row, not counted: the first row would otherwise pay for JIT warm-up. */
const WARM_UP_SECONDS = Number(process.env.BENCH_WEBHOOK_WARM_UP_SECONDS ?? 3);

/**
 * Autocannon requests that POST `amount` pre-signed deliveries in turn; `reused()` is how many were
 * sent a second time (duplicates, not counted as accepted).
 */
function signedRequests(amount) {
  const deliveries = signedDeliveries(amount);
  let next = 0;
  const requests = [
    {
      method: 'POST',
      setupRequest: (request) => {
        const delivery = deliveries[next++ % deliveries.length];
        return {
          ...request,
          headers: { 'content-type': 'application/json', 'x-ghl-signature': delivery.signature },
          body: delivery.body,
        };
      },
    },
  ];
  return { requests, reused: () => Math.max(0, next - deliveries.length) };
}

async function warmUp(url) {
  await load('warm-up', {
    url: `${url}/webhooks/ghl`,
    connections: CONNECTIONS,
    duration: WARM_UP_SECONDS,
    requests: signedRequests(5_000).requests,
  });
}

async function measure(title, url, databaseUrl, connections, beside) {
  const signed = signedRequests(DELIVERIES);
  const database = new pg.Client({ connectionString: databaseUrl });
  await database.connect();
  await database.query("TRUNCATE ghl_sync.sync_events; DELETE FROM pgboss.job WHERE name = 'sync.inbound-events'");
  const besideRun = beside?.();
  const result = await load(title, {
    url: `${url}/webhooks/ghl`,
    connections,
    duration: DURATION_SECONDS,
    requests: signed.requests,
  });
  const { rows } = await database.query(
    "SELECT (SELECT count(*) FROM ghl_sync.sync_events) AS stored, (SELECT count(*) FROM pgboss.job WHERE name = 'sync.inbound-events') AS jobs",
  );
  const stored = Number(rows[0].stored);
  const jobs = Number(rows[0].jobs);
  await database.end();
  return {
    ...result,
    graphql: await besideRun,
    connections,
    accepted: stored / DURATION_SECONDS,
    stored,
    jobs,
    reused: signed.reused(),
  };
}

const cwd = mkdtempSync(join(tmpdir(), 'trainu-bench-webhooks-'));
chmodSync(cwd, 0o755);
try {
  // The API role only: intake is what is measured, with no workers processing beside it.
  const service = startProcess(cwd, undefined, {
    SERVICE_ROLE: 'api',
    GHL_WEBHOOK_PUBLIC_KEY: publicKeyPem,
    GRAPHQL_API_KEYS: API_KEY,
  });
  const { url } = await service.listening;
  const databaseUrl = embeddedDatabaseUrl(cwd, 'trainu_sync');
  const version = await postgresVersion(databaseUrl);
  await seedReportingData(databaseUrl);

  const serviceTitle = 'POST /webhooks/ghl (NestJS + Fastify, SERVICE_ROLE=api)';
  const baselineServer = (withJob) =>
    startProcess(ROOT, [join(ROOT, 'bench/baseline-webhook-server.js')], {
      DATABASE_URL: databaseUrl,
      PUBLIC_KEY: publicKeyPem,
      BASELINE_WITH_JOB: withJob ? '1' : '0',
    });
  const baseline = baselineServer(false);
  const withJob = baselineServer(true);
  const baselineTitle = 'baseline: bare node:http + pg, verify + insert the inbox row';
  const withJobTitle = 'baseline: the same, plus a pg-boss job per row in one transaction';
  const baselineUrl = (await baseline.listening).url;
  const withJobUrl = (await withJob.listening).url;
  for (const each of [url, baselineUrl, withJobUrl]) await warmUp(each);
  // The three at 50 connections in turn, ROUNDS times: on a shared machine the load of other work
  // changes within minutes, so each round's ratio compares servers measured side by side.
  const rows = [];
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const suffix = ROUNDS > 1 ? ` (round ${round})` : '';
    const [service50, bare50, withJob50] = [
      await measure(`${serviceTitle}${suffix}`, url, databaseUrl, CONNECTIONS),
      await measure(`${baselineTitle}${suffix}`, baselineUrl, databaseUrl, CONNECTIONS),
      await measure(`${withJobTitle}${suffix}`, withJobUrl, databaseUrl, CONNECTIONS),
    ];
    rows.push(service50, bare50, withJob50);
    rounds.push({ bare: service50.accepted / bare50.accepted, withJob: service50.accepted / withJob50.accepted });
  }
  await withJob.stop();
  rows.push(await measure(serviceTitle, url, databaseUrl, LIGHT_CONNECTIONS));
  rows.push(await measure(baselineTitle, baselineUrl, databaseUrl, LIGHT_CONNECTIONS));
  if (WITH_GRAPHQL) {
    rows.push(
      await measure(`${serviceTitle}, beside hostile GraphQL`, url, databaseUrl, CONNECTIONS, () =>
        graphqlLoad('hostile queries (20 levels, 500 aliases): refused', url, HOSTILE_QUERIES),
      ),
    );
    rows.push(
      await measure(`${serviceTitle}, beside reporting GraphQL`, url, databaseUrl, CONNECTIONS, () =>
        graphqlLoad('contacts(first: 200) with tags, custom fields, bookings', url, [REPORT_QUERY]),
      ),
    );
  }
  await baseline.stop();
  await service.stop();

  console.log(`\nMachine: ${machineLine()}`);
  console.log(
    `Node ${process.version}, embedded PostgreSQL ${version}; signed ContactUpdate deliveries, ${DURATION_SECONDS} s per row\n`,
  );
  // The API role runs no relay, so the service's rows wait unqueued (jobs 0) for a worker (ADR 0017).
  console.log('| webhook intake | connections | accepted/s | p50 ms | p99 ms | non-2xx/errors | rows stored | jobs |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    console.log(
      `| ${row.title} | ${row.connections} | ${row.accepted.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.failures} | ${row.stored} | ${row.jobs} |`,
    );
  }
  const loaded = rows[0];
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const percent = (ratio) => `${(100 * ratio).toFixed(0)} %`;
  console.log(
    `\nService / bare insert server at ${CONNECTIONS} connections: ${percent(median(rounds.map((round) => round.bare)))} ` +
      `(/ the server that also enqueues a job: ${percent(median(rounds.map((round) => round.withJob)))})` +
      (ROUNDS > 1 ? `; median of ${ROUNDS} rounds: ${rounds.map((round) => percent(round.bare)).join(', ')}` : ''),
  );
  console.log(
    `\nGraphQL clients beside the intake (${GRAPHQL_CONNECTIONS} connections, the same ${DURATION_SECONDS} s):\n`,
  );
  console.log(
    '| GraphQL load | req/s | p50 ms | p99 ms | answered 400 / non-2xx | intake accepted/s beside it (alone) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const row of rows.filter((each) => each.graphql)) {
    console.log(
      `| ${row.graphql.title} | ${row.graphql.rps.toFixed(0)} | ${row.graphql.p50} | ${row.graphql.p99} | ${row.graphql.failures} | ${row.accepted.toFixed(0)} (${loaded.accepted.toFixed(0)}) |`,
    );
  }
  if (rows.some((row) => row.reused > 0))
    console.log('Note: bodies ran out and were reused (duplicates); raise BENCH_WEBHOOK_DELIVERIES.');
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
