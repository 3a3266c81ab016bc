import { Field, Float, GraphQLISODateTime, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Contact } from '../../contacts/models/contact.model.js';
import { OpportunityStatus } from '../../generated/prisma/enums.js';
import { Paginated } from '../../graphql/pagination.js';
import { Pipeline, PipelineStage } from './pipeline.model.js';

registerEnumType(OpportunityStatus, { name: 'OpportunityStatus' });

@ObjectType({ description: 'A GHL opportunity (a deal in a pipeline).' })
export class Opportunity {
  @Field(() => ID)
  id!: string;

  @Field()
  ghlOpportunityId!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => OpportunityStatus)
  status!: OpportunityStatus;

  @Field(() => Float, { nullable: true })
  monetaryValue!: number | null;

  @Field(() => Pipeline, { nullable: true })
  pipeline!: Pipeline | null;

  @Field(() => PipelineStage, { nullable: true })
  stage!: PipelineStage | null;

  @Field(() => Contact, { nullable: true })
  contact!: Contact | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Time of the GHL event whose values are stored.' })
  ghlUpdatedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  deletedAt!: Date | null;
}

@ObjectType()
export class OpportunityConnection extends Paginated(Opportunity) {}
