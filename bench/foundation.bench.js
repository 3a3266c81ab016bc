#!/usr/bin/env node
// `npm run bench`: start-up time of `npm start` (embedded Postgres, cold and warm) and the cost of
// the foundation's own endpoints, measured on this machine and printed as Markdown for the README.
// Not a test: nothing here passes or fails.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedDatabaseUrl, load, machineLine, postgresVersion, ROOT, startProcess } from './support.js';

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

const run = (title, options) => load(title, { connections: CONNECTIONS, duration: DURATION_SECONDS, ...options });

const cwd = mkdtempSync(join(tmpdir(), 'trainu-bench-'));
chmodSync(cwd, 0o755);
try {
  const cold = startProcess(cwd);
  const coldStart = await cold.listening;
  const coldStop = await cold.stop();

  const warm = startProcess(cwd);
  const { url, ms: warmStart } = await warm.listening;
  const apiKey = readFileSync(join(cwd, '.data/graphql-api-key'), 'utf8').trim();
  const version = await postgresVersion(embeddedDatabaseUrl(cwd, 'postgres'));

  const rows = [
    await run('GET /health/live', { url: `${url}/health/live` }),
    await run('GET /health/ready (Postgres + pg-boss)', { url: `${url}/health/ready` }),
    await run('POST /graphql syncStatus (5 queries)', {
      url: `${url}/graphql`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({
        query: '{ syncStatus { queueDepth deadLettersOpen lastWebhookAt lastBackfillAt eventsProcessedLastHour } }',
      }),
    }),
  ];
  const warmStop = await warm.stop();

  const bare = startProcess(ROOT, ['--input-type=module', '-e', BARE_FASTIFY]);
  const bareUrl = (await bare.listening).url;
  rows.push(await run('baseline: GET /health/live on bare Fastify', { url: `${bareUrl}/health/live` }));
  await bare.stop();

  console.log(`\nMachine: ${machineLine()}`);
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
