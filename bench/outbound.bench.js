#!/usr/bin/env node
// `npm run bench`: the outbound push (TrainU → GHL) end to end. TrainU inserts N contacts in one
// transaction (creates), then changes every one's first name (updates); the service captures,
// relays, merges, writes to the GHL stand-in (its own process, enforcing GHL's 100 requests / 10 s,
// sending the signed webhook back after each write) and absorbs the echoes. Beside it, in the same
// run, a bare client makes the same GHL requests directly (duplicate lookup + create; GET + PUT),
// paced only by the same limit: what any client could reach. Prints contacts/s for both, the
// ceiling the rate limit allows, and requests per contact. Not a test: nothing passes or fails.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { embeddedDatabaseUrl, machineLine, postgresVersion, ROOT, startProcess } from './support.js';

const CONTACTS = Number(process.env.BENCH_OUTBOUND_CONTACTS ?? 200);
const BURST = 100;
const WINDOW_MS = Number(process.env.BENCH_OUTBOUND_WINDOW_MS ?? 10_000);
const SERVICE_PORT = Number(process.env.BENCH_OUTBOUND_PORT ?? 39_417);
const REQUESTS_PER_SECOND = (BURST * 1000) / WINDOW_MS;

/** The stand-in process; `served()` asks it (SIGUSR2) for its counts so far. */
async function startStandIn(webhookUrl) {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'dist-tools/tools/ghl-stand-in.js'),
      '--contacts',
      '0',
      '--burst',
      String(BURST),
      '--window-ms',
      String(WINDOW_MS),
      ...(webhookUrl ? ['--webhook-url', webhookUrl] : []),
    ],
    { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = [];
  child.stdout.on('data', (chunk) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  const next = async (msg, after = 0) => {
    for (;;) {
      const found = lines
        .slice(after)
        .map((line) => JSON.parse(line))
        .find((entry) => entry.msg === msg);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const ready = await next('GHL stand-in is listening');
  return {
    ...ready,
    served: async () => {
      const after = lines.length;
      child.kill('SIGUSR2');
      return next('GHL stand-in served', after);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    },
  };
}

async function until(check, what, timeoutMs = 30 * 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The service's phases: creates from one INSERT, then updates from one UPDATE. */
async function measureService(cwd) {
  const standIn = await startStandIn(`http://127.0.0.1:${SERVICE_PORT}/webhooks/ghl`);
  const service = startProcess(cwd, undefined, {
    PORT: String(SERVICE_PORT),
    BACKFILL_CRON: 'off',
    OUTBOUND_MODE: 'push',
    GHL_API_BASE_URL: standIn.url,
    GHL_LOCATION_ID: standIn.locationId,
    GHL_PRIVATE_INTEGRATION_TOKEN: standIn.token,
    ...standIn.webhooks.env,
  });
  await service.listening;
  const databaseUrl = embeddedDatabaseUrl(cwd, 'trainu_sync');
  const database = new pg.Client({ connectionString: databaseUrl });
  await database.connect();
  const count = async (sql) => (await database.query(sql)).rows[0].count;
  const settled = () =>
    until(
      async () =>
        (await count("SELECT count(*)::int AS count FROM ghl_sync.sync_events WHERE outcome = 'PENDING'")) === 0,
      'echoes processed',
    );
  try {
    const phases = [];
    let before = await standIn.served();
    let started = performance.now();
    await database.query(
      `INSERT INTO contacts (email, first_name, last_name)
       SELECT 'outbound.' || n || '@example.com', 'Bench', 'Client ' || n FROM generate_series(1, $1) n`,
      [CONTACTS],
    );
    await until(
      async () =>
        (await count('SELECT count(*)::int AS count FROM contacts WHERE ghl_contact_id IS NOT NULL')) === CONTACTS,
      'every contact created in GHL',
    );
    let seconds = (performance.now() - started) / 1000;
    let after = await standIn.served();
    phases.push(phaseOf('creates', 'service', seconds, before, after, 2));
    await settled();

    before = await standIn.served();
    started = performance.now();
    await database.query("UPDATE contacts SET first_name = 'Benched'");
    await until(
      async () =>
        (await count('SELECT count(*)::int AS count FROM ghl_sync.contact_outbox WHERE pushed_at IS NULL')) === 0,
      'every update pushed',
    );
    seconds = (performance.now() - started) / 1000;
    after = await standIn.served();
    phases.push(phaseOf('updates', 'service', seconds, before, after, 2));
    await settled();
    const echoes = await count(
      'SELECT count(*)::int AS count FROM ghl_sync.outbound_echoes WHERE consumed_at IS NOT NULL',
    );
    const outboundWrites = await count(
      "SELECT count(*)::int AS count FROM ghl_sync.sync_events WHERE type LIKE 'Contact%'",
    );
    return { phases, version: await postgresVersion(databaseUrl), echoes, webhooks: outboundWrites };
  } finally {
    await database.end();
    await service.stop();
    await standIn.stop();
  }
}

/** A sliding window of `BURST` requests per `WINDOW_MS` (plus a margin), like GHL's. */
function limiter() {
  const sent = [];
  return async () => {
    for (;;) {
      const now = Date.now();
      while (sent.length > 0 && sent[0] <= now - WINDOW_MS - 200) sent.shift();
      if (sent.length < BURST) {
        sent.push(now);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, sent[0] + WINDOW_MS + 200 - now));
    }
  };
}

/** The bare client: the same requests per contact, four at a time, nothing else. */
async function measureBare() {
  const standIn = await startStandIn();
  const acquire = limiter();
  const call = async (method, path, body) => {
    await acquire();
    const response = await fetch(`${standIn.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${standIn.token}`, version: '2021-07-28', 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return response.json();
  };
  const inParallel = async (items, work) => {
    const queue = [...items];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (queue.length > 0) await work(queue.shift());
      }),
    );
  };
  try {
    const phases = [];
    const ids = [];
    let before = await standIn.served();
    let started = performance.now();
    await inParallel(
      Array.from({ length: CONTACTS }, (_, index) => index + 1),
      async (n) => {
        const email = `bare.${n}@example.com`;
        await call(
          'GET',
          `/contacts/search/duplicate?locationId=${standIn.locationId}&email=${encodeURIComponent(email)}`,
        );
        const created = await call('POST', '/contacts/', {
          locationId: standIn.locationId,
          email,
          firstName: 'Bench',
          lastName: `Client ${n}`,
        });
        ids.push(created.contact.id);
      },
    );
    phases.push(
      phaseOf('creates', 'bare client', (performance.now() - started) / 1000, before, await standIn.served(), 2),
    );
    before = await standIn.served();
    started = performance.now();
    await inParallel(ids, async (id) => {
      await call('GET', `/contacts/${id}`);
      await call('PUT', `/contacts/${id}`, { firstName: 'Benched' });
    });
    phases.push(
      phaseOf('updates', 'bare client', (performance.now() - started) / 1000, before, await standIn.served(), 2),
    );
    return phases;
  } finally {
    await standIn.stop();
  }
}

function phaseOf(phase, client, seconds, before, after, minimumRequests) {
  const requests = after.requests - before.requests;
  return {
    phase,
    client,
    seconds,
    perSecond: CONTACTS / seconds,
    requestsPerContact: requests / CONTACTS,
    ceiling: REQUESTS_PER_SECOND / minimumRequests,
    throttled: after.throttled - before.throttled,
  };
}

const cwd = mkdtempSync(join(tmpdir(), 'trainu-bench-outbound-'));
chmodSync(cwd, 0o755);
try {
  const service = await measureService(cwd);
  const bare = await measureBare();
  console.log(`\nMachine: ${machineLine()}`);
  console.log(
    `Node ${process.version}, embedded PostgreSQL ${service.version}; stand-in enforcing ${BURST} requests / ${WINDOW_MS / 1000} s (${REQUESTS_PER_SECOND} requests/s), webhooks back after every write; ${CONTACTS} contacts per phase\n`,
  );
  console.log(
    '| phase | client | seconds | contacts/s | ceiling (2 requests per contact) | of the ceiling | requests per contact | 429s |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const row of [...service.phases, ...bare]) {
    console.log(
      `| ${row.phase} | ${row.client} | ${row.seconds.toFixed(1)} | ${row.perSecond.toFixed(2)} | ${row.ceiling.toFixed(2)} | ${((row.perSecond / row.ceiling) * 100).toFixed(0)}% | ${row.requestsPerContact.toFixed(2)} | ${row.throttled} |`,
    );
  }
  console.log(
    `\nEcho webhooks received by the service: ${service.webhooks}; echo ledger entries consumed: ${service.echoes}.`,
  );
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
