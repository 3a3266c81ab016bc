#!/usr/bin/env node
// `npm run bench`, part 5: GraphQL reporting reads of the service beside PostGraphile 4 on the same
// database (100k contacts with tags, 300k bookings, 20k opportunities), four logical queries that
// return the same rows from both, each loaded with 10 connections; and the SQL statements each
// spends per request. The service runs on the embedded Postgres (or BENCH_DATABASE_URL, a database
// this bench may empty and fill). Not a test: nothing here passes or fails, except when the two
// answers differ.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BENCH_SCALE,
  BOOKINGS_RANGE,
  REPORTING_TAG,
  seedReportingData,
} from '../dist-tools/test/support/reporting-data.js';
import { startStatementCounter } from './statement-counter.js';
import { embeddedDatabaseUrl, load, machineLine, postgresVersion, ROOT, startProcess, withClient } from './support.js';

const SECONDS = Number(process.env.BENCH_GRAPHQL_SECONDS ?? 4);
/** Service and PostGraphile take turns this many times per query (the machine's other load hits both). */
const ROUNDS = Number(process.env.BENCH_GRAPHQL_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_GRAPHQL_CONNECTIONS ?? 10);
/** Both sides get as many database connections: the service's read pool (GRAPHQL_DB_POOL_SIZE default). */
const POOL_SIZE = Number(process.env.BENCH_GRAPHQL_POOL_SIZE ?? 4);
const DEEP_POSITION = 50_000;
const API_KEY = 'bench-key-0123456789abcdef';

/** The four reporting reads: the service's query, PostGraphile's, and what both must answer, compared. */
const QUERIES = [
  {
    title: 'first 100 bookings in a date range, with contact emails',
    service: {
      query: `query($from: DateTime!, $to: DateTime!) {
        bookings(first: 100, filter: { startsAfter: $from, startsBefore: $to }) {
          edges { node { id startsAt contact { email } } } } }`,
      variables: () => ({ from: BOOKINGS_RANGE.startsAfter, to: BOOKINGS_RANGE.startsBefore }),
      rows: (data) => data.bookings.edges.map(({ node }) => [node.id, node.contact?.email ?? null]),
    },
    postgraphile: {
      query: `query($from: Datetime!, $to: Datetime!) {
        allBookings(first: 100, orderBy: [CREATED_AT_ASC, ID_ASC],
                    filter: { startsAt: { greaterThanOrEqualTo: $from, lessThan: $to }, deletedAt: { isNull: true } }) {
          nodes { id startsAt contactByContactId { email } } } }`,
      variables: () => ({ from: BOOKINGS_RANGE.startsAfter, to: BOOKINGS_RANGE.startsBefore }),
      rows: (data) => data.allBookings.nodes.map((node) => [node.id, node.contactByContactId?.email ?? null]),
    },
  },
  {
    title: `contacts tagged "${REPORTING_TAG}", with their tags (first 100)`,
    service: {
      query: `query($tag: String!) { contacts(first: 100, filter: { tag: $tag }) { edges { node { id email tags } } } }`,
      variables: () => ({ tag: REPORTING_TAG }),
      rows: (data) => data.contacts.edges.map(({ node }) => [node.id, node.email, node.tags]),
    },
    postgraphile: {
      query: `query($tag: String!) {
        allContacts(first: 100, orderBy: [CREATED_AT_ASC, ID_ASC],
                    filter: { contactTagsByContactId: { some: { tag: { equalTo: $tag } } }, deletedAt: { isNull: true } }) {
          nodes { id email contactTagsByContactId(orderBy: TAG_ASC) { nodes { tag } } } } }`,
      variables: () => ({ tag: REPORTING_TAG }),
      rows: (data) =>
        data.allContacts.nodes.map((node) => [
          node.id,
          node.email,
          node.contactTagsByContactId.nodes.map(({ tag }) => tag),
        ]),
    },
  },
  {
    title: 'pipelines with their stages and open-opportunity counts',
    service: {
      query: `{ pipelines { id name stages { id name position opportunityCount } } }`,
      variables: () => ({}),
      rows: (data) =>
        data.pipelines.map((pipeline) => [
          pipeline.id,
          pipeline.stages.map((stage) => [stage.id, stage.position, stage.opportunityCount]),
        ]),
    },
    postgraphile: {
      query: `{
        allPipelines(orderBy: [NAME_ASC, GHL_PIPELINE_ID_ASC]) {
          nodes { id name
            pipelineStagesByPipelineId(orderBy: [POSITION_ASC, CREATED_AT_ASC, GHL_STAGE_ID_ASC]) {
              nodes { id name position
                opportunitiesByStageId(filter: { status: { equalTo: OPEN }, deletedAt: { isNull: true } }) { totalCount } } } } } }`,
      variables: () => ({}),
      rows: (data) =>
        data.allPipelines.nodes.map((pipeline) => [
          pipeline.id,
          pipeline.pipelineStagesByPipelineId.nodes.map((stage) => [
            stage.id,
            stage.position ?? -1,
            stage.opportunitiesByStageId.totalCount,
          ]),
        ]),
    },
  },
  {
    title: `a page of 100 contacts at ${DEEP_POSITION / 1000}k`,
    service: {
      query: `query($after: String!) {
        contacts(first: 100, after: $after) { edges { cursor node { id email } } pageInfo { hasNextPage endCursor } } }`,
      variables: (cursors) => ({ after: cursors.service }),
      rows: (data) => data.contacts.edges.map(({ node }) => [node.id, node.email]),
    },
    postgraphile: {
      query: `query($after: Cursor!) {
        allContacts(first: 100, after: $after, orderBy: [CREATED_AT_ASC, ID_ASC], filter: { deletedAt: { isNull: true } }) {
          edges { cursor node { id email } } pageInfo { hasNextPage endCursor } } }`,
      variables: (cursors) => ({ after: cursors.postgraphile }),
      rows: (data) => data.allContacts.edges.map(({ node }) => [node.id, node.email]),
    },
  },
];

/** Seeds the reporting data, unless a given database already holds exactly it (a rerun). */
async function seed(databaseUrl) {
  await withClient(databaseUrl, async (client) => {
    const { rows } = await client.query(
      "SELECT count(*)::int AS contacts, count(*) FILTER (WHERE ghl_contact_id LIKE 'seed-c-%')::int AS seeded FROM contacts",
    );
    if (rows[0].contacts === BENCH_SCALE.contacts && rows[0].seeded === BENCH_SCALE.contacts) return;
    await client.query('TRUNCATE contacts, pipelines CASCADE');
    await seedReportingData((sql, values) => client.query(sql, values), BENCH_SCALE);
  });
}

async function post(url, headers, query, variables) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (!response.ok || body.errors) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body)}`);
  return body.data;
}

/** The cursors of the contact before position DEEP_POSITION + 1, as each side gives them out. */
async function deepCursors(databaseUrl, postgraphile) {
  const [position] = await withClient(
    databaseUrl,
    async (client) =>
      (
        await client.query(
          'SELECT id, created_at FROM contacts WHERE deleted_at IS NULL ORDER BY created_at, id OFFSET $1 LIMIT 1',
          [DEEP_POSITION - 1],
        )
      ).rows,
  );
  // The service's cursor is base64url("<createdAt ISO>|<id>") (src/graphql/pagination.ts encodeCursor).
  const service = Buffer.from(`${position.created_at.toISOString()}|${position.id}`).toString('base64url');
  const data = await post(
    postgraphile.url,
    {},
    `{ allContacts(first: 1, offset: ${DEEP_POSITION - 1}, orderBy: [CREATED_AT_ASC, ID_ASC], filter: { deletedAt: { isNull: true } }) { edges { cursor node { id } } } }`,
  );
  if (data.allContacts.edges[0].node.id !== position.id) throw new Error('PostGraphile counts positions differently');
  return { service, postgraphile: data.allContacts.edges[0].cursor };
}

/** The service's read pool names its connections so (src/database/read-prisma.service.ts). */
const SERVICE_READS = (application) => application === 'trainu-ghl-sync:reads';

/**
 * SQL statements per request of each query on each side: a second service and a second PostGraphile
 * whose database connections go through a counting proxy, each sent `requests` requests in turn.
 */
async function statementsPerQuery(cwd, databaseUrl, cursors, requests = 10) {
  const counter = await startStatementCounter(databaseUrl);
  const service = startProcess(cwd, undefined, {
    SERVICE_ROLE: 'api',
    GRAPHQL_API_KEYS: API_KEY,
    DATABASE_URL: counter.url,
    MIGRATE_ON_START: 'false',
  });
  const baseline = startProcess(ROOT, [join(ROOT, 'bench/postgraphile-server.js')], { DATABASE_URL: counter.url });
  try {
    const targets = {
      service: { url: (await service.listening).url, headers: { authorization: `Bearer ${API_KEY}` } },
      postgraphile: { url: (await baseline.listening).url, headers: {} },
    };
    const include = { service: SERVICE_READS, postgraphile: () => true };
    const perQuery = [];
    for (const each of QUERIES) {
      const statements = {};
      for (const side of ['service', 'postgraphile']) {
        const { query, variables } = each[side];
        await post(targets[side].url, targets[side].headers, query, variables(cursors)); // connections opened
        const before = counter.count(include[side]);
        for (let index = 0; index < requests; index += 1)
          await post(targets[side].url, targets[side].headers, query, variables(cursors));
        statements[side] = (counter.count(include[side]) - before) / requests;
      }
      perQuery.push(statements);
    }
    return perQuery;
  } finally {
    await Promise.all([service.stop(), baseline.stop()]);
    await counter.close();
  }
}

function loadOf(target, query, variables, duration) {
  return load(target.name, {
    url: `${target.url}/graphql`,
    connections: CONNECTIONS,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: JSON.stringify({ query, variables }),
  });
}

const cwd = mkdtempSync(join(tmpdir(), 'trainu-bench-graphql-'));
chmodSync(cwd, 0o755);
const stops = [];
try {
  const given = process.env.BENCH_DATABASE_URL;
  const service = startProcess(cwd, undefined, {
    SERVICE_ROLE: 'api',
    GRAPHQL_API_KEYS: API_KEY,
    GRAPHQL_DB_POOL_SIZE: String(POOL_SIZE),
    ...(given && { DATABASE_URL: given }),
  });
  stops.push(service.stop);
  const serviceUrl = (await service.listening).url;
  const databaseUrl = given ?? embeddedDatabaseUrl(cwd, 'trainu_sync');
  const version = await postgresVersion(databaseUrl);
  const seeding = performance.now();
  await seed(databaseUrl);
  console.error(`graphql bench: seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);

  const baseline = startProcess(ROOT, [join(ROOT, 'bench/postgraphile-server.js')], {
    DATABASE_URL: databaseUrl,
    POOL_SIZE: String(POOL_SIZE),
  });
  stops.push(baseline.stop);
  const targets = {
    service: { name: 'service', url: serviceUrl, headers: { authorization: `Bearer ${API_KEY}` } },
    postgraphile: { name: 'PostGraphile', url: (await baseline.listening).url, headers: {} },
  };
  const cursors = await deepCursors(databaseUrl, targets.postgraphile);
  const statementCounts = await statementsPerQuery(cwd, databaseUrl, cursors);

  const results = [];
  for (const [queryIndex, each] of QUERIES.entries()) {
    const sides = Object.fromEntries(
      ['service', 'postgraphile'].map((side) => [
        side,
        { ...each[side], variables: each[side].variables(cursors), target: targets[side] },
      ]),
    );
    // Same rows from both, or the comparison means nothing.
    const answers = {};
    for (const [side, { target, query, variables, rows }] of Object.entries(sides))
      answers[side] = JSON.stringify(rows(await post(target.url, target.headers, query, variables)));
    if (answers.service !== answers.postgraphile)
      throw new Error(`"${each.title}": the answers differ\n${answers.service}\n${answers.postgraphile}`);
    const statements = statementCounts[queryIndex];

    const rps = { service: [], postgraphile: [] };
    for (const [, { target, query, variables }] of Object.entries(sides)) await loadOf(target, query, variables, 1); // warm-up
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [side, { target, query, variables }] of Object.entries(sides)) {
        const result = await loadOf(target, query, variables, SECONDS);
        if (result.failures > 0) throw new Error(`${target.name}: ${result.failures} failed requests`);
        rps[side].push(result);
      }
    }
    const mean = (list, key) => list.reduce((sum, result) => sum + result[key], 0) / list.length;
    const result = {
      title: each.title,
      rows: JSON.parse(answers.service).length,
      service: { rps: mean(rps.service, 'rps'), p50: mean(rps.service, 'p50') },
      postgraphile: { rps: mean(rps.postgraphile, 'rps'), p50: mean(rps.postgraphile, 'p50') },
      statements,
    };
    console.error(
      `graphql bench: ${each.title}: ${result.service.rps.toFixed(0)} vs ${result.postgraphile.rps.toFixed(0)} req/s`,
    );
    results.push(result);
  }

  console.log(`\nMachine: ${machineLine()}`);
  console.log(
    `Node ${process.version}, ${given ? 'PostgreSQL' : 'embedded PostgreSQL'} ${version}; ` +
      `${BENCH_SCALE.contacts / 1000}k contacts, ${BENCH_SCALE.bookings / 1000}k bookings, ${BENCH_SCALE.opportunities / 1000}k opportunities; ` +
      `${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per query and side, ${POOL_SIZE} database connections each\n`,
  );
  console.log(
    '| query | rows | service req/s | PostGraphile 4 req/s | service ÷ PostGraphile | p50 ms (service / PostGraphile) | SQL statements per request (service / PostGraphile) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const result of results) {
    console.log(
      `| ${result.title} | ${result.rows} | ${result.service.rps.toFixed(0)} | ${result.postgraphile.rps.toFixed(0)} | ` +
        `${(result.service.rps / result.postgraphile.rps).toFixed(2)} | ${result.service.p50.toFixed(0)} / ${result.postgraphile.p50.toFixed(0)} | ` +
        `${result.statements.service} / ${result.statements.postgraphile} |`,
    );
  }
  const geometricMean = Math.exp(
    results.reduce((sum, result) => sum + Math.log(result.service.rps / result.postgraphile.rps), 0) / results.length,
  );
  console.log(`| **geometric mean** | | | | **${geometricMean.toFixed(2)}** | | |`);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  rmSync(cwd, { recursive: true, force: true });
}
