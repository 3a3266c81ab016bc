import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A stage of a GHL pipeline.' })
export class PipelineStage {
  @Field(() => ID)
  id!: string;

  @Field()
  ghlStageId!: string;

  @Field({ description: 'The GHL stage id until the pipelines backfill has read the name.' })
  name!: string;

  @Field(() => Int, { description: 'Order within the pipeline, from 0; -1 until the pipelines backfill has read it.' })
  position!: number;

  @Field(() => Int, { description: 'Open, not deleted opportunities in this stage.' })
  opportunityCount!: number;
}

@ObjectType({ description: 'A GHL sales pipeline.' })
export class Pipeline {
  @Field(() => ID)
  id!: string;

  @Field()
  ghlPipelineId!: string;

  @Field({ description: 'The GHL pipeline id until the pipelines backfill has read the name.' })
  name!: string;

  @Field(() => [PipelineStage], { description: 'In GHL order; stages not yet read by the backfill last.' })
  stages!: PipelineStage[];
}
