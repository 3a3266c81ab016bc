#!/usr/bin/env node
// `npm run bench`, part 4: how fast workers apply webhooks already waiting in the inbox (signed
// ContactUpdates, each a new contact, stored by a SERVICE_ROLE=api process, so each worker's relay
// enqueues their jobs first, ADR 0017), with one and with two SERVICE_ROLE=worker processes, beside
// a bare pg loop doing the same upserts at the same parallelism on the same embedded Postgres; and
// webhook → row lag at a steady rate with one worker. Not a test: nothing here passes or fails.
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedDatabaseUrl, load, machineLine, postgresVersion, startProcess, withClient } from './support.js';

const EVENTS = Number(process.env.BENCH_DRAIN_EVENTS ?? 20_000);
/** Jobs one worker process runs at once (the inbound queue's localConcurrency); the bare loop gets as many. */
const PARALLELISM = Number(process.env.BENCH_DRAIN_PARALLELISM ?? 4);
const LAG_RATE = Number(process.env.BENCH_LAG_RATE ?? 200);
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 30);
const DRAIN_TIMEOUT_MS = Number(process.env.BENCH_DRAIN_TIMEOUT_SECONDS ?? 900) * 1000;

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
let deliveriesMade = 0;

function signedDelivery() {
  const index = deliveriesMade++;
  const body = JSON.stringify({
    type: 'ContactUpdate',
    locationId: 've9EPM428h8vShlRW1KT',
    id: `drain${String(index).padStart(15, '0')}`,
    email: `drain.${index}@example.com`,
    phone: '+12133734253',
    firstName: 'Jordan',
    lastName: `Client${index}`,
    tags: ['lead', 'boot camp'],
    customFields: [{ id: 'BcdmQEsNgz6AVpgLVUJ0', value: 'XYZ Corp' }],
    dateAdded: '2026-11-26T12:41:02.193Z',
    dateUpdated: new Date().toISOString(),
    timestamp: new Date().toISOString(),
    webhookId: randomUUID(),
  });
  return { body, signature: sign(null, Buffer.from(body), privateKey).toString('base64') };
}

/** POSTs signed deliveries: `amount` of them as fast as 20 connections go, or at `overallRate` for `duration` s. */
function deliver(url, options) {
  return load('deliveries', {
    url: `${url}/webhooks/ghl`,
    connections: 20,
    ...options,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const delivery = signedDelivery();
          return {
            ...request,
            headers: { 'content-type': 'application/json', 'x-ghl-signature': delivery.signature },
            body: delivery.body,
          };
        },
      },
    ],
  });
}

/** EVENTS new deliveries, every one accepted. */
async function deliverAll(apiUrl) {
  const result = await deliver(apiUrl, { amount: EVENTS });
  if (result.failures > 0) throw new Error(`${result.failures} of ${EVENTS} deliveries were not accepted`);
}

function emptyTables(databaseUrl) {
  return withClient(databaseUrl, (client) =>
    client.query(
      `TRUNCATE ghl_sync.sync_events, contacts CASCADE;
       DELETE FROM pgboss.job WHERE name = 'sync.inbound-events';
       DROP TABLE IF EXISTS bench_contacts`,
    ),
  );
}

/** Applied events per second, from the first event applied to the last (start-up is not counted). */
async function appliedRate(databaseUrl) {
  const { rows } = await withClient(databaseUrl, (client) =>
    client.query(
      `SELECT count(*)::int AS applied, extract(epoch FROM max(processed_at) - min(processed_at))::float AS seconds
         FROM ghl_sync.sync_events WHERE processed_at IS NOT NULL`,
    ),
  );
  return { applied: rows[0].applied, seconds: rows[0].seconds, perSecond: rows[0].applied / rows[0].seconds };
}

async function waitUntilDrained(databaseUrl) {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  await withClient(databaseUrl, async (client) => {
    for (;;) {
      const { rows } = await client.query(
        'SELECT count(*)::int AS pending FROM ghl_sync.sync_events WHERE processed_at IS NULL',
      );
      if (rows[0].pending === 0) return;
      if (Date.now() > deadline)
        throw new Error(`${rows[0].pending} events still pending after ${DRAIN_TIMEOUT_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
}

async function drainWithWorkers(apiUrl, databaseUrl, cwd, workers) {
  await emptyTables(databaseUrl);
  await deliverAll(apiUrl);
  const processes = Array.from({ length: workers }, () =>
    startProcess(cwd, undefined, { SERVICE_ROLE: 'worker', DATABASE_URL: databaseUrl }),
  );
  await Promise.all(processes.map((process) => process.listening));
  await waitUntilDrained(databaseUrl);
  await Promise.all(processes.map((process) => process.stop()));
  return appliedRate(databaseUrl);
}

/**
 * The same work with nothing around it: per inbox event, in one transaction, read its payload,
 * upsert the contact (columns and tags the service keeps), mark the event applied; `parallelism`
 * loops at once.
 */
async function drainBare(apiUrl, databaseUrl, parallelism) {
  await emptyTables(databaseUrl);
  await deliverAll(apiUrl);
  await withClient(databaseUrl, (client) =>
    client.query(`CREATE TABLE bench_contacts (
      ghl_contact_id text PRIMARY KEY, email text UNIQUE, phone text, first_name text, last_name text,
      tags text[], custom_fields jsonb, ghl_updated_at timestamptz)`),
  );
  const ids = await withClient(
    databaseUrl,
    async (client) => (await client.query('SELECT id FROM ghl_sync.sync_events ORDER BY received_at')).rows,
  );
  let next = 0;
  const loop = () =>
    withClient(databaseUrl, async (client) => {
      for (let item = ids[next++]; item; item = ids[next++]) {
        await client.query('BEGIN');
        const { rows } = await client.query('SELECT payload FROM ghl_sync.sync_events WHERE id = $1 FOR UPDATE', [
          item.id,
        ]);
        const contact = rows[0].payload;
        await client.query(
          `INSERT INTO bench_contacts VALUES ($1, lower($2), $3, $4, $5, $6, $7, $8)
           ON CONFLICT (ghl_contact_id) DO UPDATE SET email = excluded.email, phone = excluded.phone,
             first_name = excluded.first_name, last_name = excluded.last_name, tags = excluded.tags,
             custom_fields = excluded.custom_fields, ghl_updated_at = excluded.ghl_updated_at
           WHERE bench_contacts.ghl_updated_at < excluded.ghl_updated_at`,
          [
            contact.id,
            contact.email,
            contact.phone,
            contact.firstName,
            contact.lastName,
            contact.tags,
            JSON.stringify(contact.customFields),
            contact.dateUpdated,
          ],
        );
        await client.query(
          "UPDATE ghl_sync.sync_events SET outcome = 'APPLIED', attempts = 1, processed_at = clock_timestamp() WHERE id = $1",
          [item.id],
        );
        await client.query('COMMIT');
      }
    });
  await Promise.all(Array.from({ length: parallelism }, loop));
  return appliedRate(databaseUrl);
}

/** Webhook → applied row at a steady rate, one worker process beside the api one. */
async function lagAtSteadyRate(apiUrl, databaseUrl, cwd) {
  await emptyTables(databaseUrl);
  const worker = startProcess(cwd, undefined, { SERVICE_ROLE: 'worker', DATABASE_URL: databaseUrl });
  await worker.listening;
  const sent = await deliver(apiUrl, { overallRate: LAG_RATE, duration: LAG_SECONDS, connections: 10 });
  const pendingAtEnd = await withClient(
    databaseUrl,
    async (client) =>
      (await client.query('SELECT count(*)::int AS pending FROM ghl_sync.sync_events WHERE processed_at IS NULL'))
        .rows[0].pending,
  );
  await waitUntilDrained(databaseUrl);
  await worker.stop();
  const { rows } = await withClient(databaseUrl, (client) =>
    client.query(
      `SELECT count(*)::int AS events,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at)) * 1000 AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at)) * 1000 AS p99,
              max(extract(epoch FROM processed_at - received_at)) * 1000 AS max,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM queued_at - received_at)) * 1000 AS relay_p99
         FROM ghl_sync.sync_events`,
    ),
  );
  return { ...rows[0], sentPerSecond: sent.rps, failures: sent.failures, pendingAtEnd };
}

const cwd = mkdtempSync(join(tmpdir(), 'trainu-bench-drain-'));
chmodSync(cwd, 0o755);
try {
  // The api process owns the embedded Postgres and takes the webhooks; workers come and go beside it.
  const api = startProcess(cwd, undefined, {
    SERVICE_ROLE: 'api',
    GHL_WEBHOOK_PUBLIC_KEY: publicKeyPem,
  });
  const { url } = await api.listening;
  const databaseUrl = embeddedDatabaseUrl(cwd, 'trainu_sync');
  const version = await postgresVersion(databaseUrl);

  const step = async (title, work) => {
    const started = performance.now();
    console.error(`drain bench: ${title}…`);
    const result = await work();
    console.error(`drain bench: ${title} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
  const bare = await step('bare loop', () => drainBare(url, databaseUrl, PARALLELISM));
  // As many connections as two worker processes use: what the machine gives the two-process row.
  const bareDoubled = await step('bare loop, doubled', () => drainBare(url, databaseUrl, 2 * PARALLELISM));
  const one = await step('1 worker', () => drainWithWorkers(url, databaseUrl, cwd, 1));
  const two = await step('2 workers', () => drainWithWorkers(url, databaseUrl, cwd, 2));
  const lag = await step('lag', () => lagAtSteadyRate(url, databaseUrl, cwd));
  await api.stop();

  console.log(`\nMachine: ${machineLine()}`);
  console.log(
    `Node ${process.version}, embedded PostgreSQL ${version}; ${EVENTS} ContactUpdate webhooks waiting in the inbox\n`,
  );
  console.log('| drain | applied | seconds | events/s | of the bare loop |');
  console.log('|---|---:|---:|---:|---:|');
  const row = (title, result) =>
    console.log(
      `| ${title} | ${result.applied} | ${result.seconds.toFixed(1)} | ${result.perSecond.toFixed(0)} | ${((100 * result.perSecond) / bare.perSecond).toFixed(0)} % |`,
    );
  row('1 SERVICE_ROLE=worker process', one);
  row('2 SERVICE_ROLE=worker processes', two);
  row(`baseline: bare pg loop, ${PARALLELISM} connections, same upserts`, bare);
  row(`baseline: bare pg loop, ${2 * PARALLELISM} connections, same upserts`, bareDoubled);
  console.log(
    `\nLag at ${LAG_RATE} webhooks/s for ${LAG_SECONDS} s, 1 worker process: ${lag.events} events (sent ${lag.sentPerSecond.toFixed(0)}/s, ${lag.failures} failed), ` +
      `webhook → applied p50 ${Number(lag.p50).toFixed(0)} ms, p99 ${Number(lag.p99).toFixed(0)} ms, max ${Number(lag.max).toFixed(0)} ms ` +
      `(webhook → job enqueued by the relay p99 ${Number(lag.relay_p99).toFixed(0)} ms); ` +
      `${lag.pendingAtEnd} still pending when the load stopped`,
  );
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
