import pg from 'pg';
import type { AppConfig } from '../config/app-config.js';
import { poolSurvivesLostServer } from './lost-connections.js';

export interface ServicePoolOptions {
  /** Who owns the pool: the name its log lines carry. */
  readonly owner: string;
  readonly applicationName: string;
  readonly max?: number;
  /** How long a caller waits for a free connection before the pool gives up. */
  readonly connectionTimeoutMillis: number;
  /** Runs on each new connection before its first use (pg-pool's `verify`). */
  readonly verify?: pg.PoolConfig['verify'];
  /** Called whenever one of the pool's connections is lost (its server went away). */
  readonly onConnectionLost?: () => void;
}

/**
 * A node-postgres pool on the service's database. A connection the server drops (restart,
 * failover), idle or in use, is logged once and replaced on next use instead of ending the process
 * (poolSurvivesLostServer).
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
  poolSurvivesLostServer(pool, options.owner, options.onConnectionLost);
  return pool;
}

/** Ends a pool once; for the services' shutdown hooks. */
export async function endPool(pool: pg.Pool): Promise<void> {
  if (!pool.ended) await pool.end();
}
