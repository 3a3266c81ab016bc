import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { AppConfig } from '../config/app-config.js';

export interface ServicePoolOptions {
  /** Who owns the pool: the name its log lines carry. */
  readonly owner: string;
  readonly applicationName: string;
  readonly max?: number;
  /** How long a caller waits for a free connection before the pool gives up. */
  readonly connectionTimeoutMillis: number;
  /** Runs on each new connection before its first use (pg-pool's `verify`). */
  readonly verify?: pg.PoolConfig['verify'];
}

/**
 * A node-postgres pool on the service's database. An idle connection the server drops (restart,
 * failover) is replaced on next use; without a listener node-postgres would rethrow the error and
 * end the process, so it is logged instead.
 */
export function createServicePool(config: AppConfig, options: ServicePoolOptions): pg.Pool {
  if (!config.databaseUrl)
    throw new Error(`${options.owner} needs a database URL (bootstrap resolves one before Nest starts)`);
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    application_name: options.applicationName,
    max: options.max,
    connectionTimeoutMillis: options.connectionTimeoutMillis,
    verify: options.verify,
  });
  const logger = new Logger(options.owner);
  pool.on('error', (error) => logger.warn({ err: error }, 'an idle database connection was lost'));
  return pool;
}

/** Ends a pool once; for the services' shutdown hooks. */
export async function endPool(pool: pg.Pool): Promise<void> {
  if (!pool.ended) await pool.end();
}
