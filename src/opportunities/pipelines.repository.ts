import { Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import { ReadPrismaService } from '../database/read-prisma.service.js';
import { Prisma, type Pipeline, type PipelineStage } from '../generated/prisma/client.js';

export type PipelineRow = Pipeline;
export type PipelineStageRow = PipelineStage;
/** A stage read with its pipeline: its open, not deleted opportunities counted in the same statement. */
export type PipelineStageWithCount = PipelineStage & { readonly openOpportunities: number };

/** The `pipelines` and `pipeline_stages` tables. */
@Injectable()
export class PipelinesRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly reads: ReadPrismaService,
  ) {}

  /** The pipeline's id, recording it (name unknown until the backfill) the first time it is seen. */
  async ensurePipeline(ghlPipelineId: string, ghlLocationId: string, transaction: PrismaTransaction): Promise<string> {
    const find = Prisma.sql`SELECT id FROM pipelines WHERE ghl_pipeline_id = ${ghlPipelineId}`;
    const insert = Prisma.sql`
      INSERT INTO pipelines (ghl_pipeline_id, ghl_location_id) VALUES (${ghlPipelineId}, ${ghlLocationId})
      ON CONFLICT (ghl_pipeline_id) DO NOTHING RETURNING id`;
    return this.findOrInsert(find, insert, transaction);
  }

  /** The stage's id, recording it (name and position unknown until the backfill) the first time it is seen. */
  async ensureStage(ghlStageId: string, pipelineId: string, transaction: PrismaTransaction): Promise<string> {
    const find = Prisma.sql`SELECT id FROM pipeline_stages WHERE ghl_stage_id = ${ghlStageId}`;
    const insert = Prisma.sql`
      INSERT INTO pipeline_stages (ghl_stage_id, pipeline_id) VALUES (${ghlStageId}, ${pipelineId}::uuid)
      ON CONFLICT (ghl_stage_id) DO NOTHING RETURNING id`;
    return this.findOrInsert(find, insert, transaction);
  }

  /**
   * Reads first, inserts only when missing, and never takes a row lock on an existing row (an
   * `ON CONFLICT DO UPDATE` would, and every opportunity of a pipeline would then wait for the
   * others' transactions). A concurrent insert makes ours do nothing; the row is then read again
   * in a new statement, which sees the other transaction's commit.
   */
  private async findOrInsert(find: Prisma.Sql, insert: Prisma.Sql, transaction: PrismaTransaction): Promise<string> {
    const [existing] = await transaction.$queryRaw<{ id: string }[]>(find);
    if (existing) return existing.id;
    const [inserted] = await transaction.$queryRaw<{ id: string }[]>(insert);
    if (inserted) return inserted.id;
    const [concurrent] = await transaction.$queryRaw<{ id: string }[]>(find);
    return concurrent!.id;
  }

  /** Writes a pipeline as GHL lists it (names and stage positions), by GHL ids; returns how many stages. */
  async upsertFromGhl(
    pipeline: { id: string; name: string; stages: { id: string; name: string; position: number }[] },
    ghlLocationId: string,
    transaction: PrismaTransaction,
  ): Promise<number> {
    const [row] = await transaction.$queryRaw<{ id: string }[]>`
      INSERT INTO pipelines (ghl_pipeline_id, ghl_location_id, name) VALUES (${pipeline.id}, ${ghlLocationId}, ${pipeline.name})
      ON CONFLICT (ghl_pipeline_id) DO UPDATE SET name = EXCLUDED.name, updated_at = clock_timestamp()
      RETURNING id`;
    for (const stage of pipeline.stages) {
      await transaction.$executeRaw`
        INSERT INTO pipeline_stages (ghl_stage_id, pipeline_id, name, position)
        VALUES (${stage.id}, ${row!.id}::uuid, ${stage.name}, ${stage.position})
        ON CONFLICT (ghl_stage_id) DO UPDATE
        SET pipeline_id = EXCLUDED.pipeline_id, name = EXCLUDED.name, position = EXCLUDED.position, updated_at = clock_timestamp()`;
    }
    return pipeline.stages.length;
  }

  async findAll(): Promise<PipelineRow[]> {
    return this.reads.pipeline.findMany({
      orderBy: [{ name: { sort: 'asc', nulls: 'last' } }, { ghlPipelineId: 'asc' }],
    });
  }

  async findByIds(ids: readonly string[]): Promise<PipelineRow[]> {
    return this.reads.pipeline.findMany({ where: { id: { in: [...ids] } } });
  }

  async findStagesByIds(ids: readonly string[]): Promise<PipelineStageRow[]> {
    return this.reads.pipelineStage.findMany({ where: { id: { in: [...ids] } } });
  }

  /**
   * Stages of these pipelines in GHL's order, each with its open, not deleted opportunities counted
   * in the same statement (from the (stage_id, status, deleted_at) index alone); stages whose
   * position is not known yet come last, in the order first seen, and by GHL id when first seen in
   * the same millisecond.
   */
  async findStagesOfPipelines(pipelineIds: readonly string[]): Promise<PipelineStageWithCount[]> {
    return this.reads.$queryRaw<PipelineStageWithCount[]>`
      SELECT id, pipeline_id AS "pipelineId", ghl_stage_id AS "ghlStageId", name, position,
             created_at AS "createdAt", updated_at AS "updatedAt",
             (SELECT count(*)::int FROM opportunities o
               WHERE o.stage_id = s.id AND o.status = 'OPEN' AND o.deleted_at IS NULL) AS "openOpportunities"
        FROM pipeline_stages s
       WHERE pipeline_id = ANY(${[...pipelineIds]}::uuid[])
       ORDER BY position ASC NULLS LAST, created_at, ghl_stage_id`;
  }
}
