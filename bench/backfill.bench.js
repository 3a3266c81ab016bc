#!/usr/bin/env node
// `npm run bench`: the contacts backfill (`npm run backfill -- --objects contacts --full`) against the
// GHL stand-in in its own process, enforcing GHL's 100 requests / 10 s. Prints contacts per second
// as a fraction of what the rate limit allows (100 requests / 10 s × 500 contacts per page =
// 5,000 contacts/s) and the backfill process's peak memory, for 5,000 and 50,000 contacts.
// Not a test: nothing here passes or fails.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { embeddedDatabaseUrl, machineLine, postgresVersion, ROOT, startProcess } from './support.js';

const SIZES = (process.env.BENCH_BACKFILL_SIZES ?? '5000,50000').split(',').map(Number);
const PAGE_SIZE = 500;
const RATE_LIMIT_CEILING = (100 / 10) * PAGE_SIZE;
/** Each row is the median of this many runs (two shared cores make single runs vary by ±10 %). */
const RUNS = Number(process.env.BENCH_BACKFILL_RUNS ?? 3);

async function medianOf(measureOnce) {
  const runs = [];
  for (let run = 0; run < RUNS; run += 1) runs.push(await measureOnce());
  runs.sort((a, b) => a.seconds - b.seconds);
  const median = runs[Math.floor(runs.length / 2)];
  return { ...median, range: `${runs[0].seconds.toFixed(2)}–${runs.at(-1).seconds.toFixed(2)}` };
}

/** Runs `node <args>` to its end; resolves with its output and the peak RSS (VmHWM) read while it ran. */
function runToEnd(args, env, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    let peakKiB = 0;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const sample = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        peakKiB = Math.max(peakKiB, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch {
        // exited between two samples
      }
    }, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sample);
      resolve({ code, stdout, stderr, peakMiB: peakKiB / 1024 });
    });
  });
}

/** The stand-in process, seeded; resolves once it prints its URL. */
async function startStandIn(contacts) {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist-tools/tools/ghl-stand-in.js'), '--contacts', String(contacts)],
    {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = [];
  child.stdout.on('data', (chunk) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  for (;;) {
    const ready = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'GHL stand-in is listening');
    if (ready) {
      const stop = async () => {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.on('exit', resolve));
        return lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'GHL stand-in stopped');
      };
      return { ...ready, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function measure(size, cwd, databaseUrl, nodeFlags = []) {
  const database = new pg.Client({ connectionString: databaseUrl });
  await database.connect();
  await database.query(
    'TRUNCATE contacts CASCADE; TRUNCATE ghl_sync.sync_cursors, ghl_sync.backfill_seen, ghl_sync.ghl_request_grants, ghl_sync.ghl_rate_limits',
  );
  const standIn = await startStandIn(size);
  const run = await runToEnd(
    [...nodeFlags, join(ROOT, 'dist/cli/backfill.js'), '--objects', 'contacts', '--full'],
    {
      GHL_API_BASE_URL: standIn.url,
      GHL_LOCATION_ID: standIn.locationId,
      GHL_PRIVATE_INTEGRATION_TOKEN: standIn.token,
      LOG_LEVEL: 'warn',
    },
    cwd,
  );
  const served = await standIn.stop();
  const { rows } = await database.query('SELECT count(*)::int AS stored FROM contacts');
  await database.end();
  const summary = /contacts: (\d+) records in (\d+) pages in ([\d.]+) s/.exec(run.stdout);
  if (run.code !== 0 || !summary) throw new Error(`backfill failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
  const seconds = Number(summary[3]);
  return {
    size,
    heap: nodeFlags.length > 0 ? nodeFlags.join(' ') : 'default',
    stored: rows[0].stored,
    pages: Number(summary[2]),
    seconds,
    perSecond: size / seconds,
    ofCeiling: size / seconds / RATE_LIMIT_CEILING,
    peakMiB: run.peakMiB,
    throttled: served.throttled,
  };
}

const cwd = mkdtempSync(join(tmpdir(), 'trainu-bench-backfill-'));
chmodSync(cwd, 0o755);
try {
  // A running service owns the embedded database; the backfill CLI attaches to it, as an operator's would.
  const service = startProcess(cwd, undefined, { SERVICE_ROLE: 'api' });
  await service.listening;
  const databaseUrl = embeddedDatabaseUrl(cwd, 'trainu_sync');
  const version = await postgresVersion(databaseUrl);
  const rows = [];
  for (const size of SIZES) rows.push(await medianOf(() => measure(size, cwd, databaseUrl)));
  // V8 grows its heap lazily: the same largest run with the old generation capped shows how much
  // memory the backfill actually keeps (it completes, and its peak is what it needs).
  rows.push(await medianOf(() => measure(Math.max(...SIZES), cwd, databaseUrl, ['--max-old-space-size=128'])));
  await service.stop();

  console.log(`\nMachine: ${machineLine()}`);
  console.log(
    `Node ${process.version}, embedded PostgreSQL ${version}; stand-in enforcing 100 requests / 10 s; pages of ${PAGE_SIZE}; ceiling ${RATE_LIMIT_CEILING} contacts/s; median of ${RUNS} runs\n`,
  );
  console.log(
    '| contacts | V8 heap | stored | pages | seconds (median; range) | contacts/s | of the rate-limit ceiling | 429s | peak RSS of the backfill |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    console.log(
      `| ${row.size.toLocaleString('en')} | ${row.heap} | ${row.stored.toLocaleString('en')} | ${row.pages} | ${row.seconds.toFixed(2)} (${row.range}) | ${Math.round(row.perSecond).toLocaleString('en')} | ${(row.ofCeiling * 100).toFixed(0)}% | ${row.throttled} | ${row.peakMiB.toFixed(0)} MiB |`,
    );
  }
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
