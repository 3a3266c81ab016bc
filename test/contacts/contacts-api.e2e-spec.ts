import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadPrismaService } from '../../src/database/read-prisma.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: {
    cursor: string;
    node: { email: string; tags: string[]; customFields: { fieldId: string; value: string }[] };
  }[];
}

interface GraphqlBody<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const PAGE = `totalCount pageInfo { hasNextPage endCursor } edges { cursor node { email tags customFields { fieldId value } } }`;
const CONTACT_COUNT = 60;

describe('contacts read API', () => {
  let database: TestDatabase;
  let service: TestApp;

  async function query<T>(text: string, variables: Record<string, unknown> = {}): Promise<GraphqlBody<T>> {
    return (await (await service.graphql(text, { variables })).json()) as GraphqlBody<T>;
  }
  const contacts = async (variables: Record<string, unknown>) => {
    const body = await query<{ contacts: Page }>(
      `query($first: Int, $after: String, $filter: ContactFilter) { contacts(first: $first, after: $after, filter: $filter) { ${PAGE} } }`,
      variables,
    );
    expect(body.errors).toBeUndefined();
    return body.data!.contacts;
  };

  beforeAll(async () => {
    database = await createTestDatabase('contacts_api');
    service = await startTestApp(database.url, { SERVICE_ROLE: 'api' });
    // Contacts created one millisecond apart, in a known order; every third one tagged "vip".
    await database.query(`
      INSERT INTO contacts (email, phone, ghl_contact_id, created_at, updated_at)
      SELECT 'c' || lpad(n::text, 3, '0') || '@example.com', '+1213373' || lpad(n::text, 4, '0'), 'ghl-' || n,
             timestamp '2026-11-01' + n * interval '1 millisecond', timestamp '2026-11-01' + n * interval '1 hour'
      FROM generate_series(1, ${CONTACT_COUNT}) AS n`);
    await database.query(`
      INSERT INTO contact_tags (contact_id, tag)
      SELECT id, 'vip' FROM contacts WHERE substring(email from 2 for 3)::int % 3 = 0
      UNION ALL SELECT id, 'lead' FROM contacts`);
    await database.query(
      `INSERT INTO contact_custom_fields (contact_id, field_id, value) SELECT id, 'goal', email FROM contacts`,
    );
    await database.query(`UPDATE contacts SET deleted_at = now() WHERE email = 'c060@example.com'`);
  });

  afterAll(async () => {
    await service.close();
    await database.drop();
  });

  it('pages through every live contact in creation order with Relay cursors', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: Page = await contacts({ first: 25, after });
      pages += 1;
      expect(page.totalCount).toBe(CONTACT_COUNT - 1);
      seen.push(...page.edges.map((edge) => edge.node.email));
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    const expected = Array.from(
      { length: CONTACT_COUNT - 1 },
      (_, index) => `c${String(index + 1).padStart(3, '0')}@example.com`,
    );
    expect(seen).toEqual(expected);
  });

  it('counts only when a query selects totalCount, and once for any number of aliases', async () => {
    const prisma = service.app.get(ReadPrismaService);
    const statementsFor = async (selection: string) => {
      const before = prisma.queryCount;
      const body = await query<{ contacts: Record<string, unknown> }>(`{ contacts(first: 2) { ${selection} } }`);
      expect(body.errors).toBeUndefined();
      return { statements: prisma.queryCount - before, page: body.data!.contacts };
    };
    const withoutCount = await statementsFor('edges { node { email } }');
    const withCount = await statementsFor('edges { node { email } } totalCount');
    const twice = await statementsFor('edges { node { email } } a: totalCount b: totalCount');
    expect(withCount.statements).toBe(withoutCount.statements + 1);
    expect(twice.statements).toBe(withCount.statements);
    expect(twice.page).toMatchObject({ a: CONTACT_COUNT - 1, b: CONTACT_COUNT - 1 });
    expect(withCount.page.totalCount).toBe(CONTACT_COUNT - 1);
  });

  it('loads tags and custom fields with the page, not one query per contact', async () => {
    const prisma = service.app.get(ReadPrismaService);
    const queriesFor = async (first: number) => {
      const before = prisma.queryCount;
      const page = await contacts({ first });
      expect(page.edges).toHaveLength(first);
      return prisma.queryCount - before;
    };
    const small = await queriesFor(2);
    const large = await queriesFor(50);
    expect(large).toBe(small);
    expect(large).toBeGreaterThan(0); // counted on the read API's own client: it served them
    expect(large).toBeLessThanOrEqual(4);

    const page = await contacts({ first: 3 });
    expect(page.edges.map((edge) => edge.node)).toEqual([
      { email: 'c001@example.com', tags: ['lead'], customFields: [{ fieldId: 'goal', value: 'c001@example.com' }] },
      { email: 'c002@example.com', tags: ['lead'], customFields: [{ fieldId: 'goal', value: 'c002@example.com' }] },
      {
        email: 'c003@example.com',
        tags: ['lead', 'vip'],
        customFields: [{ fieldId: 'goal', value: 'c003@example.com' }],
      },
    ]);
  });

  it.each([
    ['email, any case', { email: ' C007@EXAMPLE.com' }, ['c007@example.com']],
    ['phone, any format', { phone: '(213) 373-0008' }, ['c008@example.com']],
    [
      'tag, normalized',
      { tag: ' VIP ' },
      Array.from({ length: 19 }, (_, i) => `c${String((i + 1) * 3).padStart(3, '0')}@example.com`),
    ],
    [
      'updatedSince',
      { updatedSince: '2026-11-03T09:00:00.000Z' },
      ['c057@example.com', 'c058@example.com', 'c059@example.com'],
    ],
    [
      'includeDeleted',
      { updatedSince: '2026-11-03T09:00:00.000Z', includeDeleted: true },
      ['c057@example.com', 'c058@example.com', 'c059@example.com', 'c060@example.com'],
    ],
    ['no match', { email: 'nobody@example.com' }, []],
  ])('filters by %s', async (_name, filter, emails) => {
    const page = await contacts({ first: 200, filter });
    expect(page.edges.map((edge) => edge.node.email)).toEqual(emails);
    expect(page.totalCount).toBe(emails.length);
  });

  it('takes first: null as the default page of 50, as the contract declares first: Int = 50', async () => {
    const page = await contacts({ first: null });
    expect(page.edges).toHaveLength(50);
    expect(page.pageInfo.hasNextPage).toBe(true);
  });

  it('finds one contact by id, ghlContactId or email, deleted ones included', async () => {
    const lookup = (args: string) =>
      query<{ contact: { email: string; deletedAt: string | null } | null }>(
        `{ contact(${args}) { id email deletedAt } }`,
      );
    const byGhl = await lookup('ghlContactId: "ghl-12"');
    expect(byGhl.data!.contact!.email).toBe('c012@example.com');
    const id = ((await lookup('email: "C012@example.com"')).data!.contact as unknown as { id: string }).id;
    expect((await lookup(`id: "${id}"`)).data!.contact!.email).toBe('c012@example.com');
    expect((await lookup('email: "c060@example.com"')).data!.contact!.deletedAt).toEqual(expect.any(String));
    expect((await lookup('ghlContactId: "missing"')).data!.contact).toBeNull();
  });

  it.each([
    ['no identifier', '{ contact { id } }', 'BAD_USER_INPUT', 'exactly one of id, ghlContactId, email'],
    ['two identifiers', '{ contact(email: "a@b.co", ghlContactId: "x") { id } }', 'BAD_USER_INPUT', 'exactly one'],
    ['an id that is not a UUID', '{ contact(id: "42") { id } }', 'BAD_REQUEST', ''],
    ['a page over 200', '{ contacts(first: 500) { totalCount } }', 'BAD_REQUEST', ''],
    ['a page of 0', '{ contacts(first: 0) { totalCount } }', 'BAD_REQUEST', ''],
    ['a page of -5', '{ contacts(first: -5) { totalCount } }', 'BAD_REQUEST', ''],
    [
      'a cursor it never gave out',
      '{ contacts(after: "bm9wZQ") { totalCount } }',
      'BAD_USER_INPUT',
      '`after` is not a cursor',
    ],
  ])('refuses %s with a clear error and no data', async (_name, text, code, message) => {
    const body = await query<Record<string, unknown>>(text);
    // A failed nullable field comes back as null; nothing else is returned.
    expect(Object.values(body.data ?? {})).toEqual(body.data ? [null] : []);
    expect(body.errors?.[0]?.extensions?.code).toBe(code);
    expect(body.errors?.[0]?.message).toContain(message);
  });
});
