import { Injectable } from '@nestjs/common';
import type { SqlClient } from '../database/prisma.service.js';
import type { OutboundPlan } from './outbound-plan.js';

/** Whether the worker carried the plan out (push) or only recorded it (shadow). */
export type PlanMode = 'push' | 'shadow';

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
}
