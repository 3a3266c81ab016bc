import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadPrismaService } from '../../src/database/read-prisma.service.js';
import { encodeCursor } from '../../src/graphql/pagination.js';
import { seedReportingData } from '../support/reporting-data.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Enough rows that a scan of a whole table costs what it would in production, in a few seconds. */
const SCALE = { contacts: 20_000, bookings: 60_000, opportunities: 6_000 };
const LARGE_TABLES = new Set(['contacts', 'bookings', 'opportunities']);
/**
 * Rows one scan of a large table may read and throw away. A page is 100 rows; a filter the index
 * does not answer reads thousands (every row before a deep cursor, every booking created before a
 * date range starts).
 */
const MAX_ROWS_DISCARDED = 1_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

interface Scan {
  readonly node: string;
  readonly table: string;
  readonly index: string | null;
  /** Rows the scan read and dropped, over all its loops. */
  readonly discarded: number;
}

function scansOf(plan: PlanNode): Scan[] {
  const own =
    plan['Relation Name'] && LARGE_TABLES.has(plan['Relation Name'])
      ? [
          {
            node: plan['Node Type'],
            table: plan['Relation Name'],
            index: plan['Index Name'] ?? null,
            discarded: (plan['Rows Removed by Filter'] ?? 0) * (plan['Actual Loops'] ?? 1),
          },
        ]
      : [];
  return [...own, ...(plan.Plans ?? []).flatMap(scansOf)];
}

/** A parameter as Postgres text input: arrays as array literals, dates in ISO form. */
function literalOf(param: unknown): string {
  if (Array.isArray(param)) return `{${param.map((each) => `"${String(each)}"`).join(',')}}`;
  if (param instanceof Date) return param.toISOString();
  return String(param);
}

describe('query plans of the main GraphQL reads (issue 13)', () => {
  let database: TestDatabase;
  let service: TestApp;
  let explainer: pg.Client;
  let deepCursor: string;
  /** What the read API's client sent, captured as it ran: statement and parameters. */
  const statements: { query: string; params: unknown[]; prepared: boolean }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('graphql_plans');
    service = await startTestApp(database.url, { SERVICE_ROLE: 'api' });
    explainer = new pg.Client({ connectionString: database.url });
    await explainer.connect();
    await seedReportingData((sql, values) => explainer.query(sql, values), SCALE);
    const [middle] = (
      await explainer.query<{ id: string; created_at: Date }>(
        'SELECT id, created_at FROM contacts WHERE deleted_at IS NULL ORDER BY created_at, id OFFSET $1 LIMIT 1',
        [SCALE.contacts / 2],
      )
    ).rows;
    deepCursor = encodeCursor({ createdAt: middle!.created_at, id: middle!.id });
    // Every statement of the read client, Prisma's and plain node-postgres' alike.
    service.app.get(ReadPrismaService).onStatement((statement) => {
      statements.push({ query: statement.query, params: [...statement.params], prepared: statement.prepared ?? false });
    });
  });

  afterAll(async () => {
    await explainer?.end();
    await service?.close();
    await database?.drop();
  });

  /**
   * Runs `query` through the service, then EXPLAIN ANALYZE on each statement it sent, as sent; a
   * prepared one (plain node-postgres) also with the generic plan Postgres may switch it to.
   */
  async function plansOf(query: string, variables: Record<string, unknown> = {}) {
    statements.length = 0;
    const body = (await (await service.graphql(query, { variables })).json()) as { errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(statements.length).toBeGreaterThan(0);
    const plans = [];
    for (const { query: sql, params, prepared } of statements) {
      const { rows } = await explainer.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
        params,
      );
      plans.push({ sql, scans: scansOf(rows[0]!['QUERY PLAN'][0].Plan) });
      if (prepared) plans.push({ sql: `generic plan of ${sql}`, scans: await genericScansOf(sql, params) });
    }
    return plans;
  }

  async function genericScansOf(sql: string, params: unknown[]): Promise<Scan[]> {
    await explainer.query(`PREPARE generic_plan AS ${sql}`);
    try {
      await explainer.query('SET plan_cache_mode = force_generic_plan');
      const literals = params.map((param) => explainer.escapeLiteral(literalOf(param))).join(', ');
      const { rows } = await explainer.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE generic_plan${params.length > 0 ? `(${literals})` : ''}`,
      );
      return scansOf(rows[0]!['QUERY PLAN'][0].Plan);
    } finally {
      await explainer.query('RESET plan_cache_mode');
      await explainer.query('DEALLOCATE generic_plan');
    }
  }

  it.each([
    [
      'first 100 bookings in a date range, with contact emails',
      `query($from: DateTime!, $to: DateTime!) {
        bookings(first: 100, filter: { startsAfter: $from, startsBefore: $to }) { edges { node { id contact { email } } } } }`,
      // A month in the middle of the year: one booking in twelve, all created after most of the others
      // (bookings are made ahead), so walking the (created_at, id) index reads half the table first.
      () => ({ from: '2025-07-01T00:00:00.000Z', to: '2025-08-01T00:00:00.000Z' }),
    ],
    [
      'first 100 bookings in a date range wider than the range-first limit (the walk)',
      `query($from: DateTime!, $to: DateTime!) {
        bookings(first: 100, filter: { startsAfter: $from, startsBefore: $to }) { edges { node { id contact { email } } } } }`,
      () => ({ from: '2025-01-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' }),
    ],
    [
      'contacts by tag, with their tags',
      `query($tag: String!) { contacts(first: 100, filter: { tag: $tag }) { edges { node { id tags } } } }`,
      // One contact in ten. (For the bench's one in fifty, 400 contacts at this scale, Postgres rightly
      // reads the small table whole and sorts; at 100k contacts it walks the index, as here.)
      () => ({ tag: 'vip' }),
    ],
    [
      'a page of contacts halfway through the table',
      `query($after: String!) { contacts(first: 100, after: $after) { edges { node { id email } } } }`,
      () => ({ after: deepCursor }),
    ],
    [
      'a page of bookings halfway through the table',
      `query($after: String!) { bookings(first: 100, after: $after) { edges { node { id } } } }`,
      () => ({ after: deepCursor }),
    ],
    [
      'pipelines with their stages and open-opportunity counts',
      `{ pipelines { id stages { id opportunityCount } } }`,
      () => ({}),
    ],
  ])(
    '%s: no sequential scan of a large table, no scan that reads rows only to drop them',
    async (_, query, variables) => {
      for (const { sql, scans } of await plansOf(query, variables())) {
        for (const scan of scans) {
          const where = `${scan.node} on ${scan.table}${scan.index ? ` using ${scan.index}` : ''} for: ${sql}`;
          expect(scan.node, where).not.toContain('Seq Scan');
          expect(scan.discarded, where).toBeLessThanOrEqual(MAX_ROWS_DISCARDED);
        }
      }
    },
  );

  it.each([
    ['a month', '2025-07-01T00:00:00.000Z', '2025-08-01T00:00:00.000Z'],
    ['the whole year (wider than the range-first limit)', '2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
  ])('bookings in %s: the first page in creation order, with each contact', async (_, from, to) => {
    const response = await service.graphql(
      `query($from: DateTime!, $to: DateTime!) {
        bookings(first: 100, filter: { startsAfter: $from, startsBefore: $to }) { edges { node { id contact { email } } } } }`,
      { variables: { from, to } },
    );
    const body = (await response.json()) as {
      data: { bookings: { edges: { node: { id: string; contact: { email: string | null } | null } }[] } };
    };
    const { rows } = await explainer.query<{ id: string; email: string | null }>(
      `SELECT b.id, c.email FROM bookings b LEFT JOIN contacts c ON c.id = b.contact_id
        WHERE b.starts_at >= $1 AND b.starts_at < $2 AND b.deleted_at IS NULL ORDER BY b.created_at, b.id LIMIT 100`,
      [from, to],
    );
    expect(rows).toHaveLength(100);
    expect(body.data.bookings.edges.map(({ node }) => ({ id: node.id, email: node.contact?.email ?? null }))).toEqual(
      rows.map((row) => ({ id: row.id, email: row.email })),
    );
  });
});
