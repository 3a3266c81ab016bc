import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module.js';
import { OpportunitiesRepository } from './opportunities.repository.js';
import { ContactOpportunitiesResolver, OpportunitiesResolver } from './opportunities.resolver.js';
import { OpportunitiesService } from './opportunities.service.js';
import { OpportunityEventsHandler } from './opportunity-events.handler.js';
import { PipelinesRepository } from './pipelines.repository.js';
import { PipelineStagesResolver, PipelinesResolver } from './pipelines.resolver.js';

/** Opportunities, pipelines and stages: GHL opportunity webhooks in, the read API out. */
@Module({
  imports: [ContactsModule],
  providers: [
    OpportunitiesRepository,
    PipelinesRepository,
    OpportunitiesService,
    OpportunityEventsHandler,
    OpportunitiesResolver,
    ContactOpportunitiesResolver,
    PipelinesResolver,
    PipelineStagesResolver,
  ],
  exports: [PipelinesRepository, OpportunitiesService],
})
export class OpportunitiesModule {}
