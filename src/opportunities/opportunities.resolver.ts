import { Args, Context, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { loadContact } from '../contacts/contact.loaders.js';
import { ContactsRepository, type ContactNode } from '../contacts/contacts.repository.js';
import { Contact } from '../contacts/models/contact.model.js';
import { pageOf, type Connection } from '../graphql/pagination.js';
import type { GraphqlContext } from '../graphql/request-loaders.js';
import { OpportunitiesArgs } from './dto/opportunities.args.js';
import { Opportunity, OpportunityConnection } from './models/opportunity.model.js';
import { Pipeline, PipelineStage } from './models/pipeline.model.js';
import { OpportunitiesRepository, type OpportunityRow } from './opportunities.repository.js';
import { PipelinesRepository, type PipelineNode, type StageNode } from './pipelines.repository.js';
import { PipelineFields } from './pipeline.fields.js';

const PIPELINE_BY_ID = Symbol('pipeline by id');
const STAGE_BY_ID = Symbol('stage by id');
const OPPORTUNITIES_BY_CONTACT = Symbol('opportunities by contact');

@Resolver(() => Opportunity)
export class OpportunitiesResolver {
  constructor(
    private readonly repository: OpportunitiesRepository,
    private readonly pipelines: PipelinesRepository,
    private readonly contacts: ContactsRepository,
    private readonly pipelineFields: PipelineFields,
  ) {}

  @Query(() => OpportunityConnection, {
    description: 'Opportunities in creation order; deleted ones only with includeDeleted.',
  })
  async opportunities(@Args() { filter, first, after }: OpportunitiesArgs): Promise<Connection<OpportunityRow>> {
    return pageOf(this.repository, { ...filter, includeDeleted: filter?.includeDeleted ?? false }, { first, after });
  }

  @ResolveField(() => Contact, { nullable: true })
  async contact(
    @Parent() opportunity: OpportunityRow,
    @Context() { loaders }: GraphqlContext,
  ): Promise<ContactNode | null> {
    return loadContact(loaders, this.contacts, opportunity.contactId);
  }

  @ResolveField(() => Pipeline, { nullable: true })
  async pipeline(
    @Parent() opportunity: OpportunityRow,
    @Context() { loaders }: GraphqlContext,
  ): Promise<PipelineNode | null> {
    if (!opportunity.pipelineId) return null;
    return loaders.one(
      PIPELINE_BY_ID,
      opportunity.pipelineId,
      async (ids) => (await this.pipelines.findByIds(ids)).map((row) => this.pipelineFields.withStages(row, loaders)),
      (row) => row.id,
    );
  }

  @ResolveField(() => PipelineStage, { nullable: true })
  async stage(
    @Parent() opportunity: OpportunityRow,
    @Context() { loaders }: GraphqlContext,
  ): Promise<StageNode | null> {
    if (!opportunity.stageId) return null;
    return loaders.one(
      STAGE_BY_ID,
      opportunity.stageId,
      async (ids) =>
        (await this.pipelines.findStagesByIds(ids)).map((row) => this.pipelineFields.withCount(row, loaders)),
      (row) => row.id,
    );
  }
}

/** `Contact.opportunities`, owned here so the contacts module knows nothing of opportunities. */
@Resolver(() => Contact)
export class ContactOpportunitiesResolver {
  constructor(private readonly repository: OpportunitiesRepository) {}

  @ResolveField(() => [Opportunity], { description: 'Live opportunities, oldest first.' })
  async opportunities(
    @Parent() contact: ContactNode,
    @Context() { loaders }: GraphqlContext,
  ): Promise<OpportunityRow[]> {
    return loaders.many(
      OPPORTUNITIES_BY_CONTACT,
      contact.id,
      (ids) => this.repository.findByContactIds(ids),
      (row) => row.contactId,
    );
  }
}
