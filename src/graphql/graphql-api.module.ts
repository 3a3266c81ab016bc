import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { AppConfig } from '../config/app-config.js';
import { describedForClients, unexpectedErrorsLogged } from './api-errors.js';
import { ApiKeyVerifier } from './api-key.verifier.js';
import { GRAPHQL_PATH } from './graphql-get-refusal.js';
import { namingTokenLimit, queryCostPlugin, queryLimitRules } from './query-limits.js';
import { RequestLoaders, type GraphqlContext } from './request-loaders.js';

interface HttpRequestLike {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The read API at POST /graphql (code-first, Apollo). Every request must carry a valid API key;
 * without one the request fails as a whole with UNAUTHENTICATED before it is even parsed. A query
 * over the token, depth, alias or cost limit is refused before anything executes (ADR 0013);
 * resolvers read through the read API's own pool, with a statement timeout. GET and HEAD are
 * answered 405 before Apollo sees them (see refuseGraphqlInUrls, installed by createApp).
 */
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const verifier = new ApiKeyVerifier(config.graphql.apiKeys);
        const { limits } = config.graphql;
        return {
          path: GRAPHQL_PATH,
          autoSchemaFile: true,
          sortSchema: true,
          graphiql: false,
          includeStacktraceInErrorResponses: false,
          parseOptions: { maxTokens: limits.maxTokens },
          validationRules: queryLimitRules(limits),
          // No cache hints anywhere in the API: Apollo's cache-control plugin, on by default, would
          // only hook every resolved field to compute a policy nobody reads.
          plugins: [ApolloServerPluginCacheControlDisabled(), queryCostPlugin(limits), unexpectedErrorsLogged],
          formatError: (formatted, error) =>
            describedForClients(namingTokenLimit(formatted, limits), error, config.graphql.statementTimeoutMs),
          context: (request: HttpRequestLike): GraphqlContext => {
            if (!verifier.isAuthorized(request.headers.authorization)) {
              throw new GraphQLError('A valid API key is required: send "Authorization: Bearer <key>".', {
                extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
              });
            }
            return { req: request, loaders: new RequestLoaders() };
          },
        };
      },
    }),
  ],
})
export class GraphqlApiModule {}
