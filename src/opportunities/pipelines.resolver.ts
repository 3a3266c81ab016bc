import { Context, Info, Query, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { GraphqlContext } from '../graphql/request-loaders.js';
import { selects } from '../graphql/selection.js';
import { Pipeline } from './models/pipeline.model.js';
import { PipelineFields } from './pipeline.fields.js';
import { PipelinesRepository, type PipelineNode } from './pipelines.repository.js';

@Resolver(() => Pipeline)
export class PipelinesResolver {
  constructor(
    private readonly repository: PipelinesRepository,
    private readonly fields: PipelineFields,
  ) {}

  /** One statement: the pipelines with their stages and counts when the query selects stages. */
  @Query(() => [Pipeline], { description: 'Every pipeline seen in GHL, by name.' })
  async pipelines(@Info() info: GraphQLResolveInfo, @Context() { loaders }: GraphqlContext): Promise<PipelineNode[]> {
    const pipelines = await this.repository.findAll(selects(info, ['stages']));
    return pipelines.map((pipeline) => this.fields.withStages(pipeline, loaders));
  }
}
