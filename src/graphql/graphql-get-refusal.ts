import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where the read API is served. */
export const GRAPHQL_PATH = '/graphql';

/** Methods whose GraphQL request would travel in the URL (Fastify serves HEAD with the GET handler). */
const URL_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

const REFUSAL = {
  statusCode: 405,
  error: 'Method Not Allowed',
  message:
    'Send GraphQL requests as POST /graphql with a JSON body {"query": ...}; queries in URLs are refused ' +
    '(they end up in proxy logs and browser history).',
};

async function refuseQueriesInUrls(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (!URL_METHODS.has(request.method)) return undefined;
  return reply.code(405).header('allow', 'POST').send(REFUSAL);
}

/**
 * @nestjs/apollo registers Apollo's Fastify handler as one route for GET, POST and OPTIONS (and
 * Fastify adds HEAD for its GET). This gives that route an onRequest hook of its own that answers
 * GET and HEAD with 405 before the body is read or Apollo sees the request, so queries, variables
 * and API keys never arrive in a URL. The route keeps the global hooks (correlation id, request
 * log, metrics), which run first.
 *
 * Must be installed before the GraphQL module registers its route, i.e. before `app.init()`.
 */
export function refuseGraphqlInUrls(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if (route.url !== GRAPHQL_PATH) return;
    const own = route.onRequest === undefined ? [] : [route.onRequest].flat();
    route.onRequest = [...own, refuseQueriesInUrls];
  });
}
