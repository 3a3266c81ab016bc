import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ASSUMED_LIST_SIZE, costOf, namingTokenLimit, queryLimitRules } from './query-limits.js';

/** The read API's shape in miniature: a paginated connection, unpaginated lists, a cycle. */
const schema = buildSchema(`
  type Query { contacts(first: Int = 50, after: String): ContactConnection! pipelines: [Pipeline!]! }
  type ContactConnection { edges: [ContactEdge!]! pageInfo: PageInfo! totalCount: Int! }
  type ContactEdge { cursor: String! node: Contact! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type Contact { id: ID! email: String tags: [String!]! bookings: [Booking!]! }
  type Booking { id: ID! contact: Contact }
  type Pipeline { id: ID! stages: [Stage!]! }
  type Stage { id: ID! }
`);

const cost = (query: string, variables?: Record<string, unknown>) => costOf(schema, parse(query), variables);

describe('query cost: values an answer may hold, page sizes multiplied through nesting', () => {
  it.each([
    ['a scalar', '{ contacts(first: 1) { totalCount } }', 1 + 1 * 1],
    ['the default page of 50', '{ contacts { totalCount } }', 1 + 50 * 1],
    [
      'a page of 200 ids: edges are the page, not a list again',
      '{ contacts(first: 200) { edges { node { id } } } }',
      1 + 200 * (1 + (1 + 1)),
    ],
    ['a scalar list costs one value', '{ contacts(first: 10) { edges { node { tags } } } }', 1 + 10 * (1 + (1 + 1))],
    [
      'an unpaginated list of objects is priced at the assumed size',
      '{ contacts(first: 10) { edges { node { bookings { id } } } } }',
      1 + 10 * (1 + (1 + (1 + ASSUMED_LIST_SIZE * 1))),
    ],
    ['a root list', '{ pipelines { stages { id } } }', 1 + ASSUMED_LIST_SIZE * (1 + ASSUMED_LIST_SIZE * 1)],
    ['introspection is free', '{ __schema { types { name fields { name } } } }', 0],
    [
      'a page size out of range is priced at the bounds',
      '{ a: contacts(first: 100000) { totalCount } b: contacts(first: -5) { totalCount } }',
      1 + 200 + (1 + 1),
    ],
  ])('%s', (_name, query, expected) => {
    expect(cost(query)).toBe(expected);
  });

  it('reads page sizes from variables', () => {
    const query = 'query ($n: Int) { contacts(first: $n) { totalCount } }';
    expect(cost(query, { n: 5 })).toBe(6);
    expect(cost(query, { n: 150 })).toBe(151);
    expect(cost(query, {})).toBe(51);
  });

  it('grows with every level of a cycle', () => {
    const two = cost('{ contacts(first: 200) { edges { node { bookings { contact { id } } } } } }');
    const four = cost(
      '{ contacts(first: 200) { edges { node { bookings { contact { bookings { contact { id } } } } } } } }',
    );
    expect(two).toBe(1 + 200 * (1 + 1 + (1 + ASSUMED_LIST_SIZE * (1 + 1))));
    expect(four).toBe(1 + 200 * (1 + 1 + (1 + ASSUMED_LIST_SIZE * (1 + (1 + ASSUMED_LIST_SIZE * (1 + 1))))));
  });
});

describe('depth and alias limits', () => {
  const limits = { maxDepth: 4, maxAliases: 2, maxCost: 1000, maxTokens: 1000 };
  const problems = (query: string) =>
    validate(schema, parse(query), queryLimitRules(limits)).map((error) => ({
      message: error.message,
      limit: error.extensions.limit,
    }));

  it('passes a query at both limits', () => {
    expect(problems('{ a: contacts { edges { node { id } } } b: contacts { totalCount } }')).toEqual([]);
  });

  it('names the depth limit and the depth found', () => {
    expect(problems('{ contacts { edges { node { bookings { id } } } } }')).toEqual([
      { message: 'Query depth limit of 4 exceeded, found 5 (GRAPHQL_MAX_DEPTH)', limit: 'GRAPHQL_MAX_DEPTH' },
    ]);
  });

  it('counts depth through fragments', () => {
    expect(
      problems('{ contacts { edges { ...deep } } } fragment deep on ContactEdge { node { bookings { id } } }'),
    ).toHaveLength(1);
  });

  it('names the alias limit and the aliases found', () => {
    expect(problems('{ a: pipelines { id } b: pipelines { id } c: pipelines { id } }')).toEqual([
      { message: 'Aliases limit of 2 exceeded, found 3 (GRAPHQL_MAX_ALIASES)', limit: 'GRAPHQL_MAX_ALIASES' },
    ]);
  });

  it('words the parser’s token limit like the others', () => {
    const parserSays = { message: 'Syntax Error: Document contains more that 1000 tokens. Parsing aborted.' };
    expect(namingTokenLimit(parserSays, limits)).toEqual({
      message: 'The query has more than 1000 tokens (GRAPHQL_MAX_TOKENS)',
      extensions: { limit: 'GRAPHQL_MAX_TOKENS', max: 1000 },
    });
    const other = { message: 'Cannot query field "x" on type "Query".' };
    expect(namingTokenLimit(other, limits)).toBe(other);
  });
});
