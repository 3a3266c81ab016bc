import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { createServicePool, endPool } from './service-pool.js';

type QueryEvents = [{ emit: 'event'; level: 'query' }];

/** How long a read waits for a free connection of the read pool before it fails. */
const READ_CONNECTION_WAIT_MS = 10_000;

/**
 * A Prisma client of its own for reads served to callers outside the sync (the GraphQL API, the
 * metrics endpoint): its own small pool (GRAPHQL_DB_POOL_SIZE), so however many or slow those
 * reads are, they never hold the connections webhook intake and workers need; and a statement
 * timeout (GRAPHQL_STATEMENT_TIMEOUT_MS), so none of them runs unbounded. The pool connects on
 * first use: a worker that serves no API opens no connection here.
 */
@Injectable()
export class ReadPrismaService
  extends PrismaClient<{ adapter: PrismaPg; log: QueryEvents }>
  implements OnApplicationShutdown
{
  /** SQL statements sent since start: how tests prove a GraphQL page costs a bounded number of queries. */
  queryCount = 0;

  readonly pool: pg.Pool;

  constructor(config: AppConfig) {
    const pool = createServicePool(config, {
      owner: ReadPrismaService.name,
      applicationName: 'trainu-ghl-sync:reads',
      max: config.graphql.poolSize,
      connectionTimeoutMillis: READ_CONNECTION_WAIT_MS,
      // A SET on each new connection rather than a startup parameter: Supabase's pooler and
      // PgBouncer refuse startup options they do not know, and pass a session's SET through.
      verify: (client, done) => {
        client.query(`SET statement_timeout = ${Math.trunc(config.graphql.statementTimeoutMs)}`).then(
          () => done(),
          (error: Error) => done(error),
        );
      },
    });
    super({ adapter: new PrismaPg(pool), log: [{ emit: 'event', level: 'query' }] as QueryEvents });
    this.pool = pool;
    this.$on('query', () => {
      this.queryCount += 1;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await endPool(this.pool);
  }
}
