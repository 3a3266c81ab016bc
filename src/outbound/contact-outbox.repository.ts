import { Injectable } from '@nestjs/common';
import type { PrismaTransaction, SqlClient } from '../database/prisma.service.js';
import { ReadPrismaService } from '../database/read-prisma.service.js';
import { queryRows } from '../database/sql-client.js';

/** A contact whose outbox rows a relay batch claimed, with the first of them (its job's correlation id). */
export interface ClaimedContact {
  readonly contactId: string;
  readonly firstRowId: string;
}

/** What a relay batch claimed: every row it marked queued, grouped by contact in the order of their first row. */
export interface ClaimedRows {
  readonly rows: number;
  readonly contacts: ClaimedContact[];
}

/** A contact's outbox rows the push worker has not finished, folded into what the push needs to know. */
export interface PendingChanges {
  /** The rows, oldest first: what `markPushed` marks once the push is done. */
  readonly rowIds: string[];
  /** Each changed field (SYNC_FIELD_RULES names, and `deletedAt`) and the latest time TrainU changed it. */
  readonly changedAt: Map<string, Date>;
  /** insert, update, delete (a hard DELETE of the row). */
  readonly ops: Set<string>;
  /** The GHL id the contact had when its row was hard-deleted; null when it was not. */
  readonly hardDeletedGhlContactId: string | null;
}

interface PendingRow {
  id: string;
  op: string;
  changed_fields: string[];
  changed_at: Date;
  ghl_contact_id: string | null;
}

/**
 * Claims rows matching `condition` (SKIP LOCKED: relays of several processes never take the same
 * row), marks them queued, and returns them per contact. A claim by status, never a cursor on id:
 * a bigserial is not commit order, so a cursor would skip a row whose transaction commits late.
 */
const claimWhere = (condition: string) => `
  WITH claimed AS (
    UPDATE ghl_sync.contact_outbox SET queued_at = now(), planned_at = NULL
     WHERE id IN (SELECT id FROM ghl_sync.contact_outbox WHERE ${condition} ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
    RETURNING id, contact_id)
  SELECT contact_id AS "contactId", min(id)::text AS "firstRowId", count(*)::int AS rows
    FROM claimed GROUP BY contact_id ORDER BY min(id)`;

const CLAIM_AWAITING_RELAY = claimWhere('queued_at IS NULL');
/** Push mode also takes the rows shadow mode planned: what is still due when the mode switches. */
const CLAIM_AWAITING_PUSH = claimWhere(
  'queued_at IS NULL OR (planned_at IS NOT NULL AND pushed_at IS NULL AND dead_lettered_at IS NULL)',
);
const STALE = `pushed_at IS NULL AND dead_lettered_at IS NULL AND queued_at < now() - make_interval(secs => $2)`;
const CLAIM_STALE = claimWhere(STALE);
/** Shadow mode's sweep leaves planned rows: they wait for push mode. */
const CLAIM_STALE_UNPLANNED = claimWhere(`${STALE} AND planned_at IS NULL`);

/**
 * `ghl_sync.contact_outbox`, which the triggers of the contact tables fill (ADR 0019): the relay's
 * claims, and the push worker's seam (`pendingChanges`, `markPushed`).
 */
@Injectable()
export class ContactOutboxRepository {
  constructor(private readonly reads: ReadPrismaService) {}

  /**
   * Rows not yet on the queue, oldest first, at most `limit`; with `pushing` (OUTBOUND_MODE=push)
   * also the rows shadow mode planned and nothing sent.
   */
  async takeAwaitingRelay(limit: number, client: SqlClient, { pushing = true } = {}): Promise<ClaimedRows> {
    return claimedRowsOf(await queryRows(client, pushing ? CLAIM_AWAITING_PUSH : CLAIM_AWAITING_RELAY, [limit]));
  }

  /**
   * Rows queued more than `olderThanSeconds` ago and still not pushed (a job lost, or a process that
   * died between its claim and its commit elsewhere), claimed again for a new job. Rows of a contact
   * whose job is a dead letter wait for the operator instead.
   */
  async takeStale(
    olderThanSeconds: number,
    limit: number,
    client: SqlClient,
    { pushing = true } = {},
  ): Promise<ClaimedRows> {
    return claimedRowsOf(
      await queryRows(client, pushing ? CLAIM_STALE : CLAIM_STALE_UNPLANNED, [limit, olderThanSeconds]),
    );
  }

  /** The contact's rows not pushed yet, folded; read without locks (one job per contact runs at a time). */
  async pendingChanges(contactId: string, client: PrismaTransaction | SqlClient): Promise<PendingChanges> {
    const rows = await queryRows<PendingRow>(
      client,
      `SELECT id::text AS id, op, changed_fields, changed_at, ghl_contact_id FROM ghl_sync.contact_outbox
        WHERE contact_id = $1::uuid AND pushed_at IS NULL ORDER BY id`,
      [contactId],
    );
    return pendingChangesOf(rows);
  }

  /** The push worker finished with these rows. */
  async markPushed(rowIds: readonly string[], client: PrismaTransaction | SqlClient): Promise<void> {
    if (rowIds.length === 0) return;
    await queryRows(
      client,
      'UPDATE ghl_sync.contact_outbox SET pushed_at = now() WHERE id = ANY($1::bigint[]) AND pushed_at IS NULL',
      [rowIds],
    );
  }

  /** Shadow mode planned these rows and sent nothing: they stay pending for push mode. */
  async markPlanned(rowIds: readonly string[], client: PrismaTransaction | SqlClient): Promise<void> {
    if (rowIds.length === 0) return;
    await queryRows(
      client,
      'UPDATE ghl_sync.contact_outbox SET planned_at = now() WHERE id = ANY($1::bigint[]) AND pushed_at IS NULL',
      [rowIds],
    );
  }

  /** Contacts with rows the push worker has not finished, oldest first, after `afterContactId` (preview --all pages by it). */
  async pendingContacts(limit: number, afterContactId: string | null): Promise<string[]> {
    const rows = await this.reads.contactOutbox.findMany({
      where: { pushedAt: null, deadLetteredAt: null, ...(afterContactId ? { contactId: { gt: afterContactId } } : {}) },
      distinct: ['contactId'],
      orderBy: { contactId: 'asc' },
      take: limit,
      select: { contactId: true },
    });
    return rows.map((row) => row.contactId);
  }

  /** Contacts with rows the push worker has not finished (preview --all's total). */
  async countPendingContacts(): Promise<number> {
    const [row] = await this.reads.$queryRaw<{ count: number }[]>`
      SELECT count(DISTINCT contact_id)::int AS count FROM ghl_sync.contact_outbox
       WHERE pushed_at IS NULL AND dead_lettered_at IS NULL`;
    return row!.count;
  }

  /** The contact's job went to dead letters: its pending rows wait for a replay or a discard. */
  async markDeadLettered(contactId: string, client: PrismaTransaction | SqlClient): Promise<void> {
    await queryRows(
      client,
      `UPDATE ghl_sync.contact_outbox SET dead_lettered_at = now()
        WHERE contact_id = $1::uuid AND pushed_at IS NULL AND dead_lettered_at IS NULL`,
      [contactId],
    );
  }

  /** The contact's dead letter is replayed (the replay sends its job): its rows are pending work again. */
  async reopenDeadLettered(contactId: string, client: PrismaTransaction | SqlClient): Promise<void> {
    await queryRows(
      client,
      `UPDATE ghl_sync.contact_outbox SET dead_lettered_at = NULL, queued_at = now()
        WHERE contact_id = $1::uuid AND pushed_at IS NULL AND dead_lettered_at IS NOT NULL`,
      [contactId],
    );
  }

  /** The contact's dead letter is discarded: its rows are closed for good, as if pushed. */
  async closeDeadLettered(contactId: string, client: PrismaTransaction | SqlClient): Promise<void> {
    await queryRows(
      client,
      `UPDATE ghl_sync.contact_outbox SET pushed_at = now()
        WHERE contact_id = $1::uuid AND pushed_at IS NULL AND dead_lettered_at IS NOT NULL`,
      [contactId],
    );
  }

  /** Rows the push worker has not finished (syncStatus.outboxPending, sync_outbox_pending), from the pending index. */
  async countPending(): Promise<number> {
    return this.reads.contactOutbox.count({ where: { pushedAt: null } });
  }
}

function claimedRowsOf(groups: readonly (ClaimedContact & { rows: number })[]): ClaimedRows {
  return {
    rows: groups.reduce((sum, group) => sum + group.rows, 0),
    contacts: groups.map(({ contactId, firstRowId }) => ({ contactId, firstRowId })),
  };
}

function pendingChangesOf(rows: readonly PendingRow[]): PendingChanges {
  const changedAt = new Map<string, Date>();
  let hardDeletedGhlContactId: string | null = null;
  for (const row of rows) {
    for (const field of row.changed_fields) {
      const known = changedAt.get(field);
      if (!known || known < row.changed_at) changedAt.set(field, row.changed_at);
    }
    if (row.op === 'delete') hardDeletedGhlContactId = row.ghl_contact_id;
  }
  return {
    rowIds: rows.map((row) => row.id),
    changedAt,
    ops: new Set(rows.map((row) => row.op)),
    hardDeletedGhlContactId,
  };
}
