import { Injectable } from '@nestjs/common';
import type { SqlClient } from '../database/prisma.service.js';
import type { FieldConflict } from './contact-merge.js';

/** One push that wrote to GHL. */
export interface OutboundWriteEntry {
  readonly contactId: string;
  readonly ghlContactId: string;
  readonly action: 'create' | 'link' | 'update' | 'delete' | 'tags_add';
  /** The fields it wrote (`tags` when it added or removed any). */
  readonly fields: readonly string[];
  readonly correlationId: string;
}

/** `ghl_sync.outbound_writes` and `ghl_sync.sync_conflicts`: what the push did and what it settled. */
@Injectable()
export class OutboundLogRepository {
  async recordWrite(entry: OutboundWriteEntry, client: SqlClient): Promise<void> {
    await client.query(
      `INSERT INTO ghl_sync.outbound_writes (contact_id, ghl_contact_id, action, fields, correlation_id)
       VALUES ($1, $2, $3, $4, $5)`,
      [entry.contactId, entry.ghlContactId, entry.action, entry.fields, entry.correlationId],
    );
  }

  /** Pushes that wrote to GHL for this contact in the last hour (the loop breaker's count). */
  async writesInLastHour(contactId: string, client: SqlClient): Promise<number> {
    const { rows } = await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM ghl_sync.outbound_writes
        WHERE contact_id = $1 AND written_at > now() - interval '1 hour'`,
      [contactId],
    );
    return rows[0]!.count;
  }

  /** The push deleted this contact in GHL (OUTBOUND_DELETES=delete) already. */
  async hasDeleted(contactId: string, client: SqlClient): Promise<boolean> {
    const { rows } = await client.query(
      `SELECT 1 FROM ghl_sync.outbound_writes WHERE contact_id = $1 AND action = 'delete' LIMIT 1`,
      [contactId],
    );
    return rows.length > 0;
  }

  async recordConflicts(
    contactId: string,
    conflicts: readonly FieldConflict[],
    correlationId: string,
    client: SqlClient,
  ): Promise<void> {
    if (conflicts.length === 0) return;
    await client.query(
      `INSERT INTO ghl_sync.sync_conflicts
         (contact_id, field, trainu_value, ghl_value, trainu_changed_at, ghl_changed_at, rule, winner, correlation_id)
       SELECT $1, *, $9 FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::text[])`,
      [
        contactId,
        conflicts.map((conflict) => conflict.field),
        conflicts.map((conflict) => conflict.trainuValue),
        conflicts.map((conflict) => conflict.ghlValue),
        conflicts.map((conflict) => conflict.trainuChangedAt),
        conflicts.map((conflict) => conflict.ghlChangedAt),
        conflicts.map((conflict) => conflict.rule),
        conflicts.map((conflict) => conflict.winner),
        correlationId,
      ],
    );
  }
}
