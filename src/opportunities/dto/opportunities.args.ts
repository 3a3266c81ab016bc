import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsBoolean, IsEnum, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { OpportunityStatus } from '../../generated/prisma/enums.js';
import { PaginationArgs } from '../../graphql/pagination.js';

@InputType()
export class OpportunityFilter {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @Field(() => ID, { nullable: true, description: 'Pipeline.id (not the GHL id).' })
  @IsOptional()
  @IsUUID()
  pipelineId?: string;

  @Field(() => ID, { nullable: true, description: 'PipelineStage.id (not the GHL id).' })
  @IsOptional()
  @IsUUID()
  stageId?: string;

  @Field(() => OpportunityStatus, { nullable: true })
  @IsOptional()
  @IsEnum(OpportunityStatus)
  status?: OpportunityStatus;

  @Field(() => Boolean, { nullable: true, description: 'Include opportunities deleted in GHL.' })
  @IsOptional()
  @IsBoolean()
  includeDeleted?: boolean;
}

@ArgsType()
export class OpportunitiesArgs extends PaginationArgs {
  @Field(() => OpportunityFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => OpportunityFilter)
  filter?: OpportunityFilter;
}
