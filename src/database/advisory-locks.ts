import type { PrismaTransaction, SqlClient } from './prisma.service.js';
import { queryRows } from './sql-client.js';

// The sorted subquery fixes the order in which the outer SELECT takes the locks.
const LOCK_IN_ORDER = `
  SELECT count(pg_advisory_xact_lock(hashtextextended(key, 0)))::int AS locked
  FROM (SELECT key FROM unnest($1::text[]) WITH ORDINALITY AS k(key, position) ORDER BY position) AS ordered`;

/**
 * Takes transaction-scoped advisory locks on `keys` (released at commit or rollback), in sorted
 * order so two transactions locking overlapping keys cannot deadlock; one statement however many
 * keys (a backfill page locks a thousand). Works in a Prisma transaction or a plain node-postgres
 * one. Keys are namespaced by their callers (`contact:ghl:…`, `booking:…`).
 */
export async function lockKeys(transaction: PrismaTransaction | SqlClient, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const sorted = [...new Set(keys)].sort();
  await queryRows(transaction, LOCK_IN_ORDER, [sorted]);
}
