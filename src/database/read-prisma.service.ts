import { createHash } from 'node:crypto';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { createServicePool, endPool } from './service-pool.js';

type QueryEvents = [{ emit: 'event'; level: 'query' }];

/** One SQL statement the read client sent, as sent: text and parameters. */
export interface ReadStatement {
  readonly query: string;
  readonly params: readonly unknown[];
  /** Sent as a named prepared statement (`sql`): Postgres may run it with a generic plan. */
  readonly prepared?: boolean;
}

/** Distinct statements `sql` prepares on each read connection at most. */
const MAX_PREPARED_STATEMENTS = 500;

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

  private readonly listeners: ((statement: ReadStatement) => void)[] = [];

  /** Prepared statement names by text. */
  private readonly statementNames = new Map<string, string>();

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
    this.$on('query', (event) => {
      this.queryCount += 1;
      if (this.listeners.length > 0) this.notify({ query: event.query, params: JSON.parse(event.params) as unknown[] });
    });
  }

  /**
   * Plain node-postgres on the read pool, for the hot GraphQL pages: no Prisma client between the
   * rows and the answer. Counted in `queryCount` and told to `onStatement` listeners like Prisma's.
   * Each text is a named prepared statement on each connection, so it is planned once per
   * connection, not on every request (Postgres switches it to a generic plan when that costs no
   * more; the query-plan test checks those plans too). The service needs the session pooler or a
   * direct connection anyway (README, Supabase), where prepared statements hold.
   */
  async sql<R extends pg.QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    this.queryCount += 1;
    const name = this.statementName(text);
    if (this.listeners.length > 0) this.notify({ query: text, params: values, prepared: name !== undefined });
    const { rows } = await this.pool.query<R>({ name, text, values: values as unknown[] });
    return rows;
  }

  private statementName(text: string): string | undefined {
    let name = this.statementNames.get(text);
    if (!name) {
      // Texts differ by filter combination and page size: a bounded set, but each connection
      // keeps what it prepared, so past this many the rest run unnamed (planned each time).
      if (this.statementNames.size >= MAX_PREPARED_STATEMENTS) return undefined;
      name = `reads_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
      this.statementNames.set(text, name);
    }
    return name;
  }

  /** Calls `listener` with every statement sent from now on, through Prisma or `sql`; for tests. */
  onStatement(listener: (statement: ReadStatement) => void): void {
    this.listeners.push(listener);
  }

  private notify(statement: ReadStatement): void {
    for (const listener of this.listeners) listener(statement);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await endPool(this.pool);
  }
}
