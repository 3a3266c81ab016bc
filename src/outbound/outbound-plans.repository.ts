import { Injectable } from '@nestjs/common';
import type { SqlClient } from '../database/prisma.service.js';
import { queryRows } from '../database/sql-client.js';
import type { OutboundAction, OutboundPlan } from './outbound-plan.js';

/** Whether the worker carried the plan out (push) or only recorded it (shadow). */
export type PlanMode = 'push' | 'shadow';

/** A recorded plan, newest first in `forContact`. */
export interface RecordedPlan extends OutboundPlan {
  readonly id: string;
  readonly mode: PlanMode;
  readonly correlationId: string;
  readonly plannedAt: Date;
}

/** `ghl_sync.outbound_plans`: every plan the outbound worker made (ADR 0024). */
@Injectable()
export class OutboundPlansRepository {
  async record(plan: OutboundPlan, mode: PlanMode, correlationId: string, client: SqlClient): Promise<void> {
    await client.query(
      `INSERT INTO ghl_sync.outbound_plans
         (contact_id, ghl_contact_id, mode, action, changes, tags_to_add, tags_to_remove, api_calls, reason, correlation_id)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10)`,
      [
        plan.contactId,
        plan.ghlContactId,
        mode,
        plan.action,
        JSON.stringify(plan.changes),
        plan.tagsToAdd,
        plan.tagsToRemove,
        plan.apiCalls,
        plan.reason,
        correlationId,
      ],
    );
  }

  /** The contact's latest `limit` plans, newest first. */
  async forContact(contactId: string, limit: number, client: SqlClient): Promise<RecordedPlan[]> {
    const rows = await queryRows<RecordedPlan & { action: OutboundAction }>(
      client,
      `SELECT id::text, contact_id AS "contactId", ghl_contact_id AS "ghlContactId", mode, action, changes,
              tags_to_add AS "tagsToAdd", tags_to_remove AS "tagsToRemove", api_calls AS "apiCalls", reason,
              correlation_id AS "correlationId", planned_at AS "plannedAt"
         FROM ghl_sync.outbound_plans WHERE contact_id = $1::uuid ORDER BY id DESC LIMIT $2`,
      [contactId, limit],
    );
    return rows;
  }
}
