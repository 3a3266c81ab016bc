import type { ApolloServerPlugin } from '@apollo/server';
import { Logger } from '@nestjs/common';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** SQLSTATE Postgres answers when statement_timeout cancels a statement. */
const QUERY_CANCELED = '57014';
/** What node-postgres's pool says when no connection came free in time. */
const POOL_WAIT_TIMEOUT = /timeout exceeded when trying to connect/;

const logger = new Logger('GraphqlApi');

/**
 * What a client is told when a request fails for a reason that is not its own GraphQL error: the
 * read API's database budget in the API's words (a statement over GRAPHQL_STATEMENT_TIMEOUT_MS, a
 * read pool that stayed busy), and anything else unexpected as a plain internal error. A driver's
 * message names source files and can quote query arguments (an email), so it never leaves the
 * process (unexpectedErrorsLogged logs it by class and code).
 */
export function describedForClients(
  formatted: GraphQLFormattedError,
  error: unknown,
  statementTimeoutMs: number,
): GraphQLFormattedError {
  const causes = causesOf(error);
  if (causes.some((cause) => codeOf(cause) === QUERY_CANCELED)) {
    return {
      ...formatted,
      message: `A database statement ran longer than ${statementTimeoutMs} ms and was cancelled (GRAPHQL_STATEMENT_TIMEOUT_MS): ask for less`,
      extensions: { ...formatted.extensions, code: 'QUERY_TIMEOUT', limit: 'GRAPHQL_STATEMENT_TIMEOUT_MS' },
    };
  }
  if (causes.some((cause) => cause instanceof Error && POOL_WAIT_TIMEOUT.test(cause.message))) {
    return {
      ...formatted,
      message: 'Every connection of the read API is busy (GRAPHQL_DB_POOL_SIZE); retry shortly',
      extensions: { ...formatted.extensions, code: 'READ_CAPACITY_EXHAUSTED', limit: 'GRAPHQL_DB_POOL_SIZE' },
    };
  }
  if (formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR' || !unexpectedCauseOf(error)) return formatted;
  return { ...formatted, message: 'Internal server error' };
}

/**
 * Logs each unexpected error of a request by class, code and path. A request plugin runs inside
 * the request's logging context, so the line carries its correlation id: the one an operator finds
 * from the `x-correlation-id` the client got. (formatError runs outside it: its lines carried none.)
 */
export const unexpectedErrorsLogged: ApolloServerPlugin = {
  requestDidStart: () =>
    Promise.resolve({
      didEncounterErrors: ({ errors }) => {
        for (const error of errors) {
          const unexpected = unexpectedCauseOf(error);
          if (!unexpected) continue;
          logger.error(
            {
              errorClass: unexpected.name,
              code: codeOf(unexpected),
              path: error.path,
            },
            'a GraphQL request failed unexpectedly',
          );
        }
        return Promise.resolve();
      },
    }),
};

/** What a resolver threw that is not a GraphQL error of ours (a driver's, a bug's), if anything. */
function unexpectedCauseOf(error: unknown): Error | undefined {
  return causesOf(error).find((cause): cause is Error => cause instanceof Error && !(cause instanceof GraphQLError));
}

/** The error and what it wraps: GraphQL's originalError, Error.cause, Prisma's driver-adapter error. */
function causesOf(error: unknown): unknown[] {
  const found: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && found.length < 10;) {
    found.push(current);
    const record = current as { originalError?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    current = record.originalError ?? record.meta?.driverAdapterError ?? record.cause;
  }
  return found;
}

function codeOf(error: unknown): string | undefined {
  const record = error as { code?: unknown; originalCode?: unknown } | null;
  for (const value of [record?.code, record?.originalCode]) if (typeof value === 'string') return value;
  return undefined;
}
