import type { PrismaTransaction, SqlClient } from './prisma.service.js';
import { queryRows } from './sql-client.js';

/**
 * A SELECT taking the locks on the sorted keys in parameter `param` (`$1`…), for a caller that
 * joins it to a statement of its own. The sorted subquery fixes the order of the locks.
 */
export function lockInOrderSql(param: string): string {
  return `SELECT count(pg_advisory_xact_lock(hashtextextended(key, 0)))::int AS locked
  FROM (SELECT key FROM unnest(${param}::text[]) WITH ORDINALITY AS k(key, position) ORDER BY position) AS ordered`;
}

const LOCK_IN_ORDER = lockInOrderSql('$1');

/** `keys` deduplicated and sorted, as `lockInOrderSql` expects them. */
export function lockOrderOf(keys: readonly string[]): string[] {
  return [...new Set(keys)].sort();
}

/**
 * Takes transaction-scoped advisory locks on `keys` (released at commit or rollback), in sorted
 * order so two transactions locking overlapping keys cannot deadlock; one statement however many
 * keys (a backfill page locks a thousand). Works in a Prisma transaction or a plain node-postgres
 * one. Keys are namespaced by their callers (`contact:ghl:…`, `booking:…`).
 */
export async function lockKeys(transaction: PrismaTransaction | SqlClient, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await queryRows(transaction, LOCK_IN_ORDER, [lockOrderOf(keys)]);
}
