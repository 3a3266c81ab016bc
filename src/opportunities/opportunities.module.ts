import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module.js';
import { OpportunitiesRepository } from './opportunities.repository.js';
import { ContactOpportunitiesResolver, OpportunitiesResolver } from './opportunities.resolver.js';
import { OpportunitiesService } from './opportunities.service.js';
import { OpportunityEventsHandler } from './opportunity-events.handler.js';
import { PipelineFields } from './pipeline.fields.js';
import { PipelinesRepository } from './pipelines.repository.js';
import { PipelinesResolver } from './pipelines.resolver.js';

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
    PipelineFields,
    PipelinesResolver,
  ],
  exports: [PipelinesRepository, OpportunitiesService],
})
export class OpportunitiesModule {}
