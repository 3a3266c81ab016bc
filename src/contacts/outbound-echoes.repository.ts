import { Injectable } from '@nestjs/common';
import type { SqlClient } from '../database/prisma.service.js';
import type { OpenEcho } from './echo-filter.js';

/** What an inbound change of one GHL contact must be checked against before it is applied. */
export interface InboundGuard {
  readonly openEchoes: OpenEcho[];
  /** Per field, when TrainU last changed it in a change not yet pushed (the outbox). */
  readonly trainuChangedAt: Map<string, Date>;
}

/** One row of GUARDS_OF_BATCH: an open echo entry, or a field TrainU changed in a pending outbox row. */
interface GuardRow {
  readonly kind: 'echo' | 'pending';
  readonly ghlContactId: string;
  readonly field: string;
  readonly id: string | null;
  readonly value: string | null;
  readonly consumed: boolean | null;
  readonly changedAt: Date | null;
}

/** Both guards of a batch in one statement (two index lookups); echoes in the order they were written. */
const GUARDS_OF_BATCH = `
  SELECT 'echo' AS kind, e.ghl_contact_id AS "ghlContactId", e.field, e.id::text AS id, e.value,
         e.consumed_at IS NOT NULL AS consumed, NULL::timestamptz AS "changedAt", e.id AS position
    FROM ghl_sync.outbound_echoes e
   WHERE e.ghl_contact_id = ANY($1::text[]) AND e.expires_at > now()
  UNION ALL
  SELECT 'pending', c.ghl_contact_id, f.field, NULL, NULL, NULL, max(o.changed_at), NULL
    FROM contacts c
    JOIN ghl_sync.contact_outbox o ON o.contact_id = c.id AND o.pushed_at IS NULL
    CROSS JOIN LATERAL unnest(o.changed_fields) AS f(field)
   WHERE c.ghl_contact_id = ANY($1::text[])
   GROUP BY c.ghl_contact_id, f.field
  ORDER BY position`;

/** How long a write's values wait for their webhook: GHL retries deliveries for hours at most. */
export const ECHO_TTL_SECONDS = 24 * 3600;

/**
 * `ghl_sync.outbound_echoes`, the ledger of what outbound writes set (ADR 0022), and the outbox's
 * pending changes as the inbound path needs them.
 */
@Injectable()
export class OutboundEchoesRepository {
  /**
   * For the GHL contacts of a batch: what we wrote within the echo window, and TrainU's changes not yet pushed.
   * One statement; nothing when the sync has written none of them lately.
   */
  async guardsFor(ghlContactIds: readonly string[], client: SqlClient): Promise<Map<string, InboundGuard>> {
    const guards = new Map<string, InboundGuard>();
    const guardOf = (ghlContactId: string) => {
      const guard = guards.get(ghlContactId) ?? { openEchoes: [], trainuChangedAt: new Map<string, Date>() };
      guards.set(ghlContactId, guard);
      return guard;
    };
    const { rows } = await client.query<GuardRow>(GUARDS_OF_BATCH, [ghlContactIds]);
    for (const row of rows) {
      const guard = guardOf(row.ghlContactId);
      if (row.kind === 'echo') {
        guard.openEchoes.push({ id: row.id!, field: row.field, value: row.value, consumed: row.consumed! });
      } else {
        guard.trainuChangedAt.set(row.field, row.changedAt!);
      }
    }
    return guards;
  }

  /**
   * Outbox rows that make the push fetch these contacts from GHL and merge (changing no field of
   * their own): a webhook disagreed with what we wrote, so GHL's current state decides.
   */
  async reconcile(ghlContactIds: readonly string[], client: SqlClient): Promise<void> {
    if (ghlContactIds.length === 0) return;
    await client.query(
      `INSERT INTO ghl_sync.contact_outbox (contact_id, op, changed_fields, ghl_contact_id)
       SELECT id, 'reconcile', '{}', ghl_contact_id FROM contacts WHERE ghl_contact_id = ANY($1::text[])`,
      [ghlContactIds],
    );
  }

  async consume(ids: readonly string[], client: SqlClient): Promise<void> {
    if (ids.length === 0) return;
    await client.query('UPDATE ghl_sync.outbound_echoes SET consumed_at = now() WHERE id = ANY($1::bigint[])', [ids]);
  }

  /** Records what a write is about to set, before it is sent: its webhook may come before the answer. */
  async record(
    ghlContactId: string,
    values: readonly { field: string; value: string | null }[],
    client: SqlClient,
  ): Promise<void> {
    if (values.length === 0) return;
    await client.query(
      `INSERT INTO ghl_sync.outbound_echoes (ghl_contact_id, field, value, expires_at)
       SELECT $1, field, value, now() + make_interval(secs => $4) FROM unnest($2::text[], $3::text[]) AS v(field, value)`,
      [ghlContactId, values.map((entry) => entry.field), values.map((entry) => entry.value), ECHO_TTL_SECONDS],
    );
  }
}
