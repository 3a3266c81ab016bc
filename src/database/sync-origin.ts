import type { PrismaTransaction, SqlClient } from './prisma.service.js';
import { lockInOrderSql, lockOrderOf } from './advisory-locks.js';
import { queryRows } from './sql-client.js';

/**
 * Who writes in a transaction of the sync: `ghl` for changes applied from GHL (webhooks, backfill),
 * `outbound` for the push worker's own write-back. The contact outbox's triggers record neither
 * (ADR 0019), so nothing the sync applied is ever pushed back.
 */
export type SyncOrigin = 'ghl' | 'outbound';

/** The setting the outbox triggers read (prisma/migrations/20261203000000_contact_outbox). */
export const SYNC_ORIGIN_SETTING = 'ghl_sync.origin';

const MARK = `SELECT set_config('${SYNC_ORIGIN_SETTING}', $1, true)`;
const MARK_AND_LOCK = `SELECT set_config('${SYNC_ORIGIN_SETTING}', $1, true), (${lockInOrderSql('$2')})`;

/**
 * Marks the transaction `client` is in as the sync's own write. Transaction-scoped (`SET LOCAL`):
 * it ends at COMMIT or ROLLBACK, so a pooled connection's next transaction is TrainU's again, and it
 * survives a transaction pooler (Supavisor), which drops session settings.
 */
export async function markSyncOrigin(client: PrismaTransaction | SqlClient, origin: SyncOrigin): Promise<void> {
  await queryRows(client, MARK, [origin]);
}

/** `markSyncOrigin` and `lockKeys(keys)` in one statement: the inbound path's first of each batch. */
export async function markSyncOriginAndLock(
  client: PrismaTransaction | SqlClient,
  origin: SyncOrigin,
  keys: readonly string[],
): Promise<void> {
  await queryRows(client, MARK_AND_LOCK, [origin, lockOrderOf(keys)]);
}
