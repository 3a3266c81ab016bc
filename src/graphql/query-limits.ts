import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  getNullableType,
  GraphQLError,
  isListType,
  type DocumentNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination.js';

/** What one GraphQL operation may ask for; each limit is named after the variable that sets it. */
export interface QueryLimits {
  /** GRAPHQL_MAX_DEPTH: nesting of selections. */
  readonly maxDepth: number;
  /** GRAPHQL_MAX_ALIASES: aliased fields (each alias can repeat a whole query). */
  readonly maxAliases: number;
  /** GRAPHQL_MAX_COST: values the answer may hold, page sizes multiplied through nesting. */
  readonly maxCost: number;
  /** GRAPHQL_MAX_TOKENS: the parser stops beyond this, which also bounds nesting (graphql-js parses recursively). */
  readonly maxTokens: number;
}

/**
 * Items an unpaginated list field (a contact's bookings, a pipeline's stages, `pipelines`) is
 * priced at. Such lists hold what the data holds; this is the estimate the cost limit multiplies by.
 */
export const ASSUMED_LIST_SIZE = 10;

/**
 * The price of a field: 1 for its own value plus its children's, times the items it returns:
 * `first` for a paginated connection (its default when not given), ASSUMED_LIST_SIZE for other
 * lists, 1 otherwise. A connection's `edges` are the page `first` already priced. Introspection
 * costs nothing: its size is the schema's, not the data's.
 */
export const queryCostEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  if (field.name.startsWith('__')) return 0;
  return 1 + itemsOf(type, field, args) * childComplexity;
};

function itemsOf(
  parent: GraphQLCompositeType,
  field: GraphQLField<unknown, unknown>,
  args: Record<string, unknown>,
): number {
  if (field.args.some((argument) => argument.name === 'first')) {
    const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
    return Math.min(Math.max(first, 1), MAX_PAGE_SIZE);
  }
  if (field.name === 'edges' && parent.name.endsWith('Connection')) return 1;
  return isListType(getNullableType(field.type)) ? ASSUMED_LIST_SIZE : 1;
}

/** The error every refused query gets: Apollo's validation code, status 400, and the limit by name. */
function limitExceeded(message: string, limit: string, max: number): GraphQLError {
  return new GraphQLError(`${message} (${limit})`, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit, max, http: { status: 400 } },
  });
}

/** Reports (never throws: a throw inside validation would become a 500) with the limit named. */
function reportingAs(limit: string, max: number) {
  return {
    n: max,
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) =>
        context?.reportError(
          limitExceeded(error.message.replace(/^Syntax Error: /, '').replace(/\.$/, ''), limit, max),
        ),
    ],
  };
}

/** Depth and alias limits, run with GraphQL's own validation, before anything executes. */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  return [
    maxDepthRule(reportingAs('GRAPHQL_MAX_DEPTH', limits.maxDepth)),
    maxAliasesRule(reportingAs('GRAPHQL_MAX_ALIASES', limits.maxAliases)),
  ];
}

/** The cost of an operation with its variables, as the cost limit sees it. */
export function costOf(
  schema: GraphQLSchema,
  query: DocumentNode,
  variables?: Record<string, unknown>,
  operationName?: string,
): number {
  return getComplexity({ schema, query, variables, operationName, estimators: [queryCostEstimator] });
}

/** Refuses an operation whose cost is over the limit, once it is resolved (the cost needs its variables). */
export function queryCostPlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ schema, document, request, operationName }) => {
          const cost = costOf(schema, document, request.variables, operationName ?? undefined);
          if (cost > limits.maxCost) {
            throw limitExceeded(
              `Query cost ${cost} exceeds the limit of ${limits.maxCost}: ask for smaller pages or fewer nested lists`,
              'GRAPHQL_MAX_COST',
              limits.maxCost,
            );
          }
          return Promise.resolve();
        },
      }),
  };
}

const TOKEN_LIMIT_MESSAGE = /Document contains more th(?:an|at) \d+ tokens/;

/** graphql-js words the token limit its own way; say which variable sets it, like the other limits. */
export function namingTokenLimit(formatted: GraphQLFormattedError, limits: QueryLimits): GraphQLFormattedError {
  if (!TOKEN_LIMIT_MESSAGE.test(formatted.message)) return formatted;
  return {
    ...formatted,
    message: `The query has more than ${limits.maxTokens} tokens (GRAPHQL_MAX_TOKENS)`,
    extensions: { ...formatted.extensions, limit: 'GRAPHQL_MAX_TOKENS', max: limits.maxTokens },
  };
}
