#!/usr/bin/env node
// The baseline for bench/graphql.bench.js: PostGraphile 4 in library mode on a bare node:http
// server, reading the service's `public` tables on the same database. Read-only (no mutations),
// no GraphiQL, no query log; the connection-filter plugin gives it the range and relation filters
// the service's API has. Env DATABASE_URL, POOL_SIZE (the service's read pool size, so both use
// as many database connections). package.json's `overrides` give graphql-parse-resolve-info the
// graphql 15 PostGraphile 4 is built on; resolving the service's graphql 16 instead, it fails every
// query with "Cannot use GraphQLScalarType from another module or realm".
import { createServer } from 'node:http';
import pg from 'pg';
import postgraphileModule from 'postgraphile';
import connectionFilter from 'postgraphile-plugin-connection-filter';

const { postgraphile } = postgraphileModule;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 4) });

const middleware = postgraphile(pool, ['public'], {
  disableDefaultMutations: true,
  graphiql: false,
  disableQueryLog: true,
  ignoreRBAC: false,
  setofFunctionsContainNulls: false,
  legacyRelations: 'omit',
  enableQueryBatching: false,
  appendPlugins: [connectionFilter.default ?? connectionFilter],
  graphileBuildOptions: { connectionFilterRelations: true, connectionFilterAllowNullInput: true },
  retryOnInitFail: false,
});

const server = createServer(middleware);
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'service is listening', url: `http://127.0.0.1:${server.address().port}` }));
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
