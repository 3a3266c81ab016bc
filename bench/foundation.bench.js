#!/usr/bin/env node
// `npm run bench`: start-up time of `npm start` (embedded Postgres, cold and warm) and the cost of
// the foundation's own endpoints, measured on this machine and printed as Markdown for the README.
// Not a test: nothing here passes or fails.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem, release } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

const ROOT = new URL('..', import.meta.url).pathname;
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

// The floor to compare against: the same liveness route on bare Fastify, in its own process.
const BARE_FASTIFY = `
  import Fastify from 'fastify';
  const app = Fastify();
  app.get('/health/live', async () => ({ status: 'ok' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  console.log(JSON.stringify({ msg: 'service is listening', url: 'http://127.0.0.1:' + app.server.address().port }));
`;

function startService(cwd, args = [join(ROOT, 'dist/main.js')]) {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  const listening = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (const line of buffered.split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line);
        if (entry.msg === 'service is listening') resolve({ url: entry.url, ms: performance.now() - started });
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    child.on('exit', (code) => reject(new Error(`service exited with ${code}`)));
  });
  const stop = () =>
    new Promise((resolve) => {
      const signalled = performance.now();
      child.on('exit', () => resolve(performance.now() - signalled));
      child.kill('SIGTERM');
    });
  return { listening, stop };
}

async function load(title, options) {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION_SECONDS, ...options });
  const failures = result.non2xx + result.errors + result.timeouts;
  return { title, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, failures };
}

async function postgresVersion(cwd) {
  const state = JSON.parse(readFileSync(join(cwd, '.data/embedded-postgres.json'), 'utf8'));
  const client = new pg.Client({
    host: '127.0.0.1',
    port: state.port,
    user: 'postgres',
    password: state.password,
    database: 'postgres',
  });
  await client.connect();
  const { rows } = await client.query('SHOW server_version');
  await client.end();
  return rows[0].server_version;
}

const cwd = mkdtempSync(join(tmpdir(), 'trainu-bench-'));
chmodSync(cwd, 0o755);
try {
  const cold = startService(cwd);
  const coldStart = await cold.listening;
  const coldStop = await cold.stop();

  const warm = startService(cwd);
  const { url, ms: warmStart } = await warm.listening;
  const apiKey = readFileSync(join(cwd, '.data/graphql-api-key'), 'utf8').trim();
  const version = await postgresVersion(cwd);

  const rows = [
    await load('GET /health/live', { url: `${url}/health/live` }),
    await load('GET /health/ready (Postgres + pg-boss)', { url: `${url}/health/ready` }),
    await load('POST /graphql syncStatus (5 queries)', {
      url: `${url}/graphql`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({
        query: '{ syncStatus { queueDepth deadLettersOpen lastWebhookAt lastBackfillAt eventsProcessedLastHour } }',
      }),
    }),
  ];
  const warmStop = await warm.stop();

  const bare = startService(ROOT, ['--input-type=module', '-e', BARE_FASTIFY]);
  const bareUrl = (await bare.listening).url;
  rows.push(await load('baseline: GET /health/live on bare Fastify', { url: `${bareUrl}/health/live` }));
  await bare.stop();

  const cpu = cpus();
  console.log(
    `\nMachine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}`,
  );
  console.log(
    `Node ${process.version}, embedded PostgreSQL ${version}; load: ${CONNECTIONS} connections for ${DURATION_SECONDS} s each\n`,
  );
  console.log('| start-up (npm start, embedded Postgres) | ms |');
  console.log('|---|---:|');
  console.log(`| cold: initdb + start + migrate + Nest, to listening | ${coldStart.ms.toFixed(0)} |`);
  console.log(`| warm: existing ./.data, to listening | ${warmStart.toFixed(0)} |`);
  console.log(`| SIGTERM to exit (Nest, pg-boss, Postgres stopped) | ${((coldStop + warmStop) / 2).toFixed(0)} |\n`);
  console.log('| endpoint | req/s | p50 ms | p99 ms | non-2xx/errors |');
  console.log('|---|---:|---:|---:|---:|');
  for (const row of rows)
    console.log(`| ${row.title} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.failures} |`);
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
