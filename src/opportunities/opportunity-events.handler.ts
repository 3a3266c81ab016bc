import { Injectable } from '@nestjs/common';
import type { HandlerOutcome, InboundEventHandler, StoredInboundEvent } from '../inbox/inbound-event.js';
import { HandlesInboundEvents } from '../inbox/inbound-handler.registry.js';
import { GhlOpportunityWebhookDto } from './dto/opportunity-webhook.dto.js';
import { mapGhlOpportunity } from './opportunity.mapper.js';
import { OpportunitiesService } from './opportunities.service.js';

export const OPPORTUNITY_EVENT_TYPES = [
  'OpportunityCreate',
  'OpportunityUpdate',
  'OpportunityDelete',
  'OpportunityStageUpdate',
  'OpportunityStatusUpdate',
  'OpportunityMonetaryValueUpdate',
  'OpportunityAssignedToUpdate',
] as const;

/** GHL opportunity webhooks, from the inbox into `opportunities` (and `pipelines` / `pipeline_stages`). */
@HandlesInboundEvents()
@Injectable()
export class OpportunityEventsHandler implements InboundEventHandler {
  readonly eventTypes = OPPORTUNITY_EVENT_TYPES;
  readonly payloadDto = GhlOpportunityWebhookDto;

  constructor(private readonly opportunities: OpportunitiesService) {}

  async handle(event: StoredInboundEvent): Promise<HandlerOutcome> {
    const change = mapGhlOpportunity(event.payload as unknown as GhlOpportunityWebhookDto, event.idempotencyKey);
    return this.opportunities.applyGhlOpportunity(change, event.type === 'OpportunityDelete' ? 'delete' : 'upsert');
  }
}
