import { Logger } from '@nestjs/common';
import type pg from 'pg';
import { errorSummary } from '../common/error-summary.js';

/** Nest's Logger and pino's both fit. */
export interface WarningLogger {
  warn(context: object, message: string): void;
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
  onLost?: () => void,
): void {
  let reported = false;
  client.on('error', (error) => {
    onLost?.();
    if (reported) return;
    reported = true;
    logger.warn({ ...what(), ...errorSummary(error) }, 'a database connection was lost');
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
  pool.on('connect', (client) =>
    survivesLostServer(client, logger, () => ({ inUse: checkedOut.has(client), poolSize: pool.totalCount }), onLost),
  );
  // The per-connection listener above has logged it; pg-pool re-emits idle connections' errors here.
  pool.on('error', () => undefined);
}
