import { Logger } from '@nestjs/common';
import type pg from 'pg';

/** Nest's Logger and pino's both fit. */
export interface WarningLogger {
  warn(context: object, message: string): void;
}

/** What a lost connection's log line says about the error: never the client object, never a query. */
export function describeConnectionError(error: unknown): { code?: string; reason: string } {
  const code = (error as { code?: unknown } | undefined)?.code;
  return {
    ...(typeof code === 'string' && { code }),
    reason: error instanceof Error ? error.message : String(error),
  };
}

/**
 * A node-postgres client whose server goes away (restart, failover, kill) emits 'error'; with no
 * listener that is an uncaught exception and the process ends. pg-pool listens only while a client
 * is idle (it takes its listener off a client it hands out), so a connection lost mid-transaction
 * would end the service. This listener stays on for the client's whole life: the error is logged
 * once, and the statement in flight, if any, rejects with it and goes down the caller's retry path.
 */
export function survivesLostServer(
  client: pg.Client | pg.PoolClient,
  logger: WarningLogger,
  what: () => object = () => ({}),
): void {
  let reported = false;
  client.on('error', (error) => {
    if (reported) return;
    reported = true;
    logger.warn({ ...what(), ...describeConnectionError(error) }, 'a database connection was lost');
  });
}

/**
 * Keeps every connection of `pool` from ending the process when its server goes away (see
 * survivesLostServer), and logs each lost one once, saying whether work was using it. The pool
 * drops a broken connection on release and opens a new one on next use.
 */
export function poolSurvivesLostServer(pool: pg.Pool, owner: string, onLost?: () => void): void {
  const logger = new Logger(owner);
  const checkedOut = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_error, client) => checkedOut.delete(client));
  pool.on('connect', (client) => {
    client.on('error', () => onLost?.());
    survivesLostServer(client, logger, () => ({ inUse: checkedOut.has(client), poolSize: pool.totalCount }));
  });
  // The per-connection listener above has logged it; pg-pool re-emits idle connections' errors here.
  pool.on('error', () => undefined);
}
