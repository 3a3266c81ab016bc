import type { PrismaTransaction } from './prisma.service.js';

/**
 * Takes transaction-scoped advisory locks on `keys` (released at commit or rollback), in sorted
 * order so two transactions locking overlapping keys cannot deadlock; one statement however many
 * keys (a backfill page locks a thousand). Keys are namespaced by their callers (`contact:ghl:…`,
 * `booking:…`).
 */
export async function lockKeys(transaction: PrismaTransaction, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const sorted = [...new Set(keys)].sort();
  // The sorted subquery fixes the order the outer SELECT takes the locks in.
  await transaction.$queryRaw`
    SELECT count(pg_advisory_xact_lock(hashtextextended(key, 0)))::int AS locked
    FROM (SELECT key FROM unnest(${sorted}::text[]) WITH ORDINALITY AS k(key, position) ORDER BY position) AS ordered`;
}
