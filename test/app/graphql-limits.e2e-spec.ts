import { getIntrospectionQuery } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadPrismaService } from '../../src/database/read-prisma.service.js';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import {
  aliasedContactsQuery,
  depthOf,
  nestedContactsQuery,
  seedContactsWithBookings,
} from '../support/hostile-queries.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app.js';

interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

describe('GraphQL limits: refused before execution, with the limit named', () => {
  let database: TestDatabase;
  let service: TestApp;
  let reads: ReadPrismaService;

  beforeAll(async () => {
    database = await createTestDatabase('graphql_limits');
    service = await startTestApp(database.url, { SERVICE_ROLE: 'api' });
    reads = service.app.get(ReadPrismaService);
    // Enough rows that an unlimited nested query would multiply them: 300 contacts, 3 bookings each.
    await seedContactsWithBookings(database);
  });

  afterAll(async () => {
    await service.close();
    await database.drop();
  });

  /** Posts `query`; returns the status, the body and the read statements it ran. */
  async function send(query: string, variables?: Record<string, unknown>) {
    const before = reads.queryCount;
    const response = await service.graphql(query, { variables });
    const body = (await response.json()) as GraphqlBody;
    return { status: response.status, body, statements: reads.queryCount - before };
  }

  it.each([
    ['20 levels of contacts → bookings → contact …', nestedContactsQuery(20), 'GRAPHQL_MAX_DEPTH', /depth limit of 10/],
    ['11 levels (one over the default)', nestedContactsQuery(11), 'GRAPHQL_MAX_DEPTH', /found 11/],
    ['21 aliases', aliasedContactsQuery(21, 1), 'GRAPHQL_MAX_ALIASES', /Aliases limit of 20/],
    ['500 aliases of contacts(first: 200)', aliasedContactsQuery(500), 'GRAPHQL_MAX_TOKENS', /more than 5000 tokens/],
    [
      'page sizes multiplied through nesting',
      '{ contacts(first: 200) { edges { node { bookings { contact { bookings { contact { bookings { id } } } } } } } } }',
      'GRAPHQL_MAX_COST',
      /Query cost 244601 exceeds the limit of 50000/,
    ],
  ])('refuses %s: 400, no data, not one statement run', async (_name, query, limit, message) => {
    const { status, body, statements } = await send(query);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.message).toMatch(message);
    expect(body.errors![0]!.message).toContain(limit);
    expect(body.errors![0]!.extensions).toMatchObject({ code: expect.any(String) as string, limit });
    expect(statements).toBe(0);
  });

  it('counts depth the way the hostile queries are written', () => {
    expect(depthOf(nestedContactsQuery(20))).toBe(20);
    expect(depthOf(nestedContactsQuery(10))).toBe(10);
  });

  it('prices page sizes given as variables: the same query passes small and is refused large', async () => {
    const query = `query ($first: Int) {
      contacts(first: $first) { edges { node { bookings { contact { bookings { contact { bookings { id } } } } } } } }
    }`;
    const small = await send(query, { first: 5 });
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();
    expect((small.body.data!.contacts as { edges: unknown[] }).edges).toHaveLength(5);

    const large = await send(query, { first: 200 });
    expect(large.status).toBe(400);
    expect(large.body.errors![0]!.extensions).toMatchObject({ limit: 'GRAPHQL_MAX_COST', max: 50_000 });
    expect(large.statements).toBe(0);
  });

  it('answers queries at the limits, and the introspection reporting tools send', async () => {
    const atDepth = await send(nestedContactsQuery(10, 2));
    expect(atDepth.status).toBe(200);
    expect(atDepth.body.errors).toBeUndefined();

    const twentyAliases = await send(aliasedContactsQuery(20, 1));
    expect(twentyAliases.status).toBe(200);
    expect(Object.keys(twentyAliases.body.data!)).toHaveLength(20);

    const reportingPage = await send(`{
      contacts(first: 200) { totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { id email phone firstName lastName tags customFields { fieldId value }
          bookings { id startsAt status } opportunities { id name status stage { name } } } } }
    }`);
    expect(reportingPage.status).toBe(200);
    expect((reportingPage.body.data!.contacts as { edges: unknown[] }).edges).toHaveLength(200);

    const introspection = await send(getIntrospectionQuery());
    expect(introspection.status).toBe(200);
    expect(introspection.body.errors).toBeUndefined();
  });

  it('answers an unexpected database error as "Internal server error", logged by class with its correlation id, never the driver message', async () => {
    await database.query("INSERT INTO contacts (ghl_contact_id, email) VALUES ('masked', 'masked.person@example.com')");
    // A schema the client was not built for: Prisma's message would quote the query and our source file.
    await database.query('ALTER TABLE contacts RENAME COLUMN first_name TO given_name');
    try {
      const response = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${TEST_API_KEY}`,
          'x-correlation-id': 'masked-error',
        },
        body: JSON.stringify({ query: '{ contact(email: "masked.person@example.com") { firstName } }' }),
      });
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({
        data: { contact: null },
        errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
      });
      for (const leak of ['first_name', 'contacts.repository', 'masked.person', 'Invalid `'])
        expect(text).not.toContain(leak);
      const logged = service.logs
        .withCorrelationId('masked-error')
        .find((line) => line.msg === 'a GraphQL request failed unexpectedly');
      expect(logged).toMatchObject({ errorClass: expect.stringMatching(/^PrismaClient/) as string, path: ['contact'] });
      expect(JSON.stringify(logged)).not.toContain('masked.person');
    } finally {
      await database.query('ALTER TABLE contacts RENAME COLUMN given_name TO first_name');
    }
  });
});

describe('GraphQL reads on a pool of their own, with a statement timeout', () => {
  let database: TestDatabase;
  let service: TestApp;
  const ghl = new GhlStandIn();

  beforeAll(async () => {
    database = await createTestDatabase('graphql_reads');
    service = await startTestApp(database.url, {
      ...ghl.env(),
      SERVICE_ROLE: 'api',
      GRAPHQL_DB_POOL_SIZE: '2',
      GRAPHQL_STATEMENT_TIMEOUT_MS: '500',
    });
  });

  afterAll(async () => {
    await service.close();
    await database.drop();
  });

  it('cancels a stuck read with QUERY_TIMEOUT, holds at most GRAPHQL_DB_POOL_SIZE connections, and intake does not wait', async () => {
    // A lock that stalls every read of `contacts` (a long migration, a VACUUM FULL…).
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE contacts IN ACCESS EXCLUSIVE MODE');
    try {
      const reads = Array.from({ length: 6 }, () =>
        service.graphql('{ contacts(first: 5) { totalCount edges { node { id } } } }'),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      const readConnections = await database.query<{ count: number }>(
        "SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'trainu-ghl-sync:reads'",
      );
      expect(readConnections[0]!.count).toBeLessThanOrEqual(2);

      const started = Date.now();
      const deliveries = await Promise.all(
        Array.from({ length: 10 }, () => ghl.deliver(service.url, ghl.contactEvent('ContactCreate'))),
      );
      const intakeMs = Date.now() - started;
      expect(deliveries.map((response) => response.status)).toEqual(Array(10).fill(200));
      expect(intakeMs).toBeLessThan(1_000);

      const answers = await Promise.all(reads.map(async (response) => (await (await response).json()) as GraphqlBody));
      for (const answer of answers) {
        expect(answer.errors?.[0]).toMatchObject({
          message: expect.stringContaining('GRAPHQL_STATEMENT_TIMEOUT_MS') as string,
          extensions: { code: 'QUERY_TIMEOUT' },
        });
      }
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    const after = (await (await service.graphql('{ contacts(first: 1) { totalCount } }')).json()) as GraphqlBody;
    expect(after.errors).toBeUndefined();
    expect(await database.query('SELECT count(*)::int AS count FROM ghl_sync.sync_events')).toEqual([{ count: 10 }]);
  });
});
