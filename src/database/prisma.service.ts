import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';
import { createServicePool, endPool } from './service-pool.js';

/**
 * The one Prisma client of the process, on node-postgres through Prisma's driver adapter. Its
 * pool is also open to repositories for the one hot path that runs plain SQL (ADR 0006).
 */
@Injectable()
export class PrismaService extends PrismaClient<{ adapter: PrismaPg }> implements OnModuleInit, OnApplicationShutdown {
  readonly pool: pg.Pool;
  /** When one of the pool's connections was last lost (its server went away); epoch ms. */
  lastConnectionLostAt: number | undefined;

  constructor(config: AppConfig) {
    const pool = createServicePool(config, {
      owner: PrismaService.name,
      applicationName: 'trainu-ghl-sync',
      connectionTimeoutMillis: 5_000,
      onConnectionLost: () => {
        this.lastConnectionLostAt = Date.now();
      },
    });
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
  }

  async onModuleInit(): Promise<void> {
    await this.$connect();
  }

  /** The last shutdown step, after queue workers (stopped in onModuleDestroy) have finished with the database. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await endPool(this.pool);
  }

  /**
   * Runs `work` in a transaction on a pooled node-postgres client, without Prisma's interactive
   * transaction machinery: for the webhook intake, where it costs a third of the throughput (ADR 0006).
   * With `statementTimeoutMs`, a statement that waits longer (a lock held by a stalled session) is
   * cancelled, so a stalled database cannot keep the connection from the pool; `lockTimeoutMs`
   * bounds only the waits for locks.
   */
  async inPlainTransaction<T>(
    work: (client: pg.PoolClient) => Promise<T>,
    { statementTimeoutMs, lockTimeoutMs }: { statementTimeoutMs?: number; lockTimeoutMs?: number } = {},
  ): Promise<T> {
    const client = await this.pool.connect();
    try {
      // One round trip: a simple-protocol query may hold several statements.
      const begin = ['BEGIN'];
      if (statementTimeoutMs) begin.push(`SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}`);
      if (lockTimeoutMs) begin.push(`SET LOCAL lock_timeout = ${Math.trunc(lockTimeoutMs)}`);
      await client.query(begin.join('; '));
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** A Prisma interactive-transaction client, accepted by repositories that can join a caller's transaction. */
export type PrismaTransaction = Prisma.TransactionClient;

/** Anything node-postgres can run a query on: the pool, or a client inside a plain transaction. */
export type SqlClient = Pick<pg.ClientBase, 'query'>;
