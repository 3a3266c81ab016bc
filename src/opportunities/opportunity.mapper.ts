import type { OpportunityStatus } from '../generated/prisma/enums.js';
import type { GhlOpportunityWebhookDto } from './dto/opportunity-webhook.dto.js';
import { upstreamTimeOf } from '../inbox/upstream-time.js';

const STATUSES: readonly OpportunityStatus[] = ['OPEN', 'WON', 'LOST', 'ABANDONED'];

/** GHL's open | won | lost | abandoned; anything else counts as OPEN, with the raw value kept. */
export function mapOpportunityStatus(raw: string | undefined): OpportunityStatus {
  const upper = raw?.trim().toUpperCase() as OpportunityStatus | undefined;
  return upper && STATUSES.includes(upper) ? upper : 'OPEN';
}

/** One GHL opportunity change; a field left undefined was not in the payload and is left as stored. */
export interface GhlOpportunityChange {
  readonly ghlOpportunityId: string;
  readonly ghlLocationId: string;
  readonly ghlContactId: string | undefined;
  readonly ghlPipelineId: string | undefined;
  readonly ghlStageId: string | undefined;
  readonly name: string | null | undefined;
  readonly status: OpportunityStatus | undefined;
  readonly statusRaw: string | undefined;
  readonly monetaryValue: number | null | undefined;
  /** The delivery `timestamp`. */
  readonly upstreamUpdatedAt: Date;
  /**
   * `<ISO time>|<event key>`: compared as text, later changes sort higher and two changes with the
   * same time still have one fixed order, whatever order they arrive in (ADR 0008).
   */
  readonly version: string;
}

export function mapGhlOpportunity(payload: GhlOpportunityWebhookDto, eventKey: string): GhlOpportunityChange {
  const upstreamUpdatedAt = upstreamTimeOf(`GHL opportunity ${payload.id}`, { timestamp: payload.timestamp });
  return {
    ghlOpportunityId: payload.id,
    ghlLocationId: payload.locationId,
    ghlContactId: payload.contactId || undefined,
    ghlPipelineId: payload.pipelineId || undefined,
    ghlStageId: payload.pipelineStageId || undefined,
    name: payload.name === undefined ? undefined : payload.name?.trim() || null,
    status: payload.status === undefined ? undefined : mapOpportunityStatus(payload.status),
    statusRaw: payload.status,
    monetaryValue: payload.monetaryValue,
    upstreamUpdatedAt,
    version: `${upstreamUpdatedAt.toISOString()}|${eventKey}`,
  };
}
