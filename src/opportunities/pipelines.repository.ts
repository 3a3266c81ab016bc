import { Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import { ReadPrismaService } from '../database/read-prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';

/**
 * A stage as the read API serves it: name and position as shown (the GHL id and -1 until the
 * pipelines backfill has read them), and its open, not deleted opportunities counted in the same
 * statement, or else loaded when a query reads the count.
 */
export interface StageNode {
  readonly id: string;
  readonly pipelineId: string;
  readonly ghlStageId: string;
  readonly name: string;
  readonly position: number;
  opportunityCount?: number | Promise<number>;
}

/** A pipeline as the read API serves it: its stages read in the same statement, or else loaded when read. */
export interface PipelineNode {
  readonly id: string;
  readonly ghlPipelineId: string;
  readonly name: string;
  stages?: StageNode[] | Promise<StageNode[]>;
}

const PIPELINE_COLUMNS = 'p.id, p.ghl_pipeline_id AS "ghlPipelineId", coalesce(p.name, p.ghl_pipeline_id) AS name';
const STAGE_COLUMNS =
  's.id, s.pipeline_id AS "pipelineId", s.ghl_stage_id AS "ghlStageId", coalesce(s.name, s.ghl_stage_id) AS name, coalesce(s.position, -1) AS position';
/** A stage's open, not deleted opportunities, from the (stage_id, status, deleted_at) index alone. */
const OPEN_COUNT = `(SELECT count(*)::int FROM opportunities o
  WHERE o.stage_id = s.id AND o.status = 'OPEN' AND o.deleted_at IS NULL)`;
/**
 * GHL's order; stages whose position is not known yet last, in the order first seen, and by GHL id
 * when first seen in the same millisecond.
 */
const STAGE_ORDER = 's.position ASC NULLS LAST, s.created_at, s.ghl_stage_id';

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

  /**
   * Every pipeline by name, in one statement of plain node-postgres on the read pool; with
   * `withStages`, each with its stages and their open-opportunity counts (as JSON: a stage has no
   * date to lose).
   */
  async findAll(withStages = false): Promise<PipelineNode[]> {
    const stages = `(SELECT coalesce(json_agg(json_build_object('id', s.id, 'pipelineId', s.pipeline_id,
        'ghlStageId', s.ghl_stage_id, 'name', coalesce(s.name, s.ghl_stage_id), 'position', coalesce(s.position, -1),
        'opportunityCount', ${OPEN_COUNT}) ORDER BY ${STAGE_ORDER}), '[]'::json)
      FROM pipeline_stages s WHERE s.pipeline_id = p.id) AS stages`;
    return this.reads.sql<PipelineNode>(
      `SELECT ${PIPELINE_COLUMNS}${withStages ? `, ${stages}` : ''} FROM pipelines p
        ORDER BY p.name ASC NULLS LAST, p.ghl_pipeline_id`,
    );
  }

  async findByIds(ids: readonly string[]): Promise<PipelineNode[]> {
    return this.reads.sql<PipelineNode>(`SELECT ${PIPELINE_COLUMNS} FROM pipelines p WHERE p.id = ANY($1::uuid[])`, [
      ids,
    ]);
  }

  /** Stages by id, without their counts (loaded when selected). */
  async findStagesByIds(ids: readonly string[]): Promise<StageNode[]> {
    return this.reads.sql<StageNode>(`SELECT ${STAGE_COLUMNS} FROM pipeline_stages s WHERE s.id = ANY($1::uuid[])`, [
      ids,
    ]);
  }

  /** Stages of these pipelines in order (STAGE_ORDER), each with its open-opportunity count. */
  async findStagesOfPipelines(pipelineIds: readonly string[]): Promise<StageNode[]> {
    return this.reads.sql<StageNode>(
      `SELECT ${STAGE_COLUMNS}, ${OPEN_COUNT} AS "opportunityCount" FROM pipeline_stages s
        WHERE s.pipeline_id = ANY($1::uuid[]) ORDER BY ${STAGE_ORDER}`,
      [pipelineIds],
    );
  }
}
