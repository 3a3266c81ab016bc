import { Context, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphqlContext } from '../graphql/request-loaders.js';
import { Pipeline, PipelineStage } from './models/pipeline.model.js';
import { OpportunitiesRepository } from './opportunities.repository.js';
import {
  PipelinesRepository,
  type PipelineRow,
  type PipelineStageRow,
  type PipelineStageWithCount,
} from './pipelines.repository.js';

const STAGES_BY_PIPELINE = Symbol('stages by pipeline');
const OPEN_COUNT_BY_STAGE = Symbol('open opportunities by stage');

@Resolver(() => Pipeline)
export class PipelinesResolver {
  constructor(private readonly repository: PipelinesRepository) {}

  @Query(() => [Pipeline], { description: 'Every pipeline seen in GHL, by name.' })
  async pipelines(): Promise<PipelineRow[]> {
    return this.repository.findAll();
  }

  @ResolveField(() => String)
  name(@Parent() pipeline: PipelineRow): string {
    return pipeline.name ?? pipeline.ghlPipelineId;
  }

  @ResolveField(() => [PipelineStage])
  async stages(
    @Parent() pipeline: PipelineRow,
    @Context() { loaders }: GraphqlContext,
  ): Promise<PipelineStageWithCount[]> {
    return loaders.many(
      STAGES_BY_PIPELINE,
      pipeline.id,
      (ids) => this.repository.findStagesOfPipelines(ids),
      (row) => row.pipelineId,
    );
  }
}

@Resolver(() => PipelineStage)
export class PipelineStagesResolver {
  constructor(private readonly opportunities: OpportunitiesRepository) {}

  @ResolveField(() => String)
  name(@Parent() stage: PipelineStageRow): string {
    return stage.name ?? stage.ghlStageId;
  }

  @ResolveField(() => Int)
  position(@Parent() stage: PipelineStageRow): number {
    return stage.position ?? -1;
  }

  @ResolveField(() => Int)
  async opportunityCount(
    @Parent() stage: PipelineStageRow | PipelineStageWithCount,
    @Context() { loaders }: GraphqlContext,
  ): Promise<number> {
    // Counted already when the stage was read with its pipeline; a stage reached from an opportunity was not.
    if ('openOpportunities' in stage) return stage.openOpportunities;
    return loaders
      .get<string, number>(OPEN_COUNT_BY_STAGE, async (ids) => {
        const counts = new Map((await this.opportunities.countOpenByStage(ids)).map((row) => [row.stageId, row.count]));
        return ids.map((id) => counts.get(id) ?? 0);
      })
      .load(stage.id);
  }
}
