import { Injectable } from '@nestjs/common';
import { lazyField } from '../graphql/lazy-field.js';
import type { RequestLoaders } from '../graphql/request-loaders.js';
import { OpportunitiesRepository } from './opportunities.repository.js';
import { PipelinesRepository, type PipelineNode, type StageNode } from './pipelines.repository.js';

const STAGES_BY_PIPELINE = Symbol('stages by pipeline');
const OPEN_COUNT_BY_STAGE = Symbol('open opportunities by stage');

/**
 * The fields of pipelines and stages not read with them, loaded when a query reads them, for every
 * such row of the request at once (the request's DataLoaders): plain fields, so no Nest resolver
 * runs per pipeline or stage.
 */
@Injectable()
export class PipelineFields {
  constructor(
    private readonly pipelines: PipelinesRepository,
    private readonly opportunities: OpportunitiesRepository,
  ) {}

  /** The pipeline's stages, each with its open-opportunity count, unless read with it. */
  withStages(pipeline: PipelineNode, loaders: RequestLoaders): PipelineNode {
    return lazyField(pipeline, 'stages', () =>
      loaders.many(
        STAGES_BY_PIPELINE,
        pipeline.id,
        (ids) => this.pipelines.findStagesOfPipelines(ids),
        (row) => row.pipelineId,
      ),
    );
  }

  /** The stage's open-opportunity count, unless counted with it (a stage reached from an opportunity). */
  withCount(stage: StageNode, loaders: RequestLoaders): StageNode {
    return lazyField(stage, 'opportunityCount', () =>
      loaders
        .get<string, number>(OPEN_COUNT_BY_STAGE, async (ids) => {
          const counts = new Map(
            (await this.opportunities.countOpenByStage(ids)).map((row) => [row.stageId, row.count]),
          );
          return ids.map((id) => counts.get(id) ?? 0);
        })
        .load(stage.id),
    );
  }
}
