import type { PrismaTransaction } from './prisma.service.js';

/**
 * Takes transaction-scoped advisory locks on `keys` (released at commit or rollback), in sorted
 * order so two transactions locking overlapping keys cannot deadlock. Keys are namespaced by their
 * callers (`contact:ghl:…`, `booking:…`).
 */
export async function lockKeys(transaction: PrismaTransaction, keys: readonly string[]): Promise<void> {
  for (const key of [...new Set(keys)].sort()) {
    await transaction.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
  }
}
