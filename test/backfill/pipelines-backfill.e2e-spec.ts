import type { TestingModule } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelinesBackfill } from '../../src/backfill/pipelines-backfill.js';
import { startBackfillRunner } from '../support/backfill-runner.js';
import { GhlApiStandIn } from '../support/ghl-api-stand-in.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('pipelines backfill', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  let moduleRef: TestingModule;

  beforeAll(async () => {
    database = await createTestDatabase('backfill_pipelines');
    ghl = await GhlApiStandIn.start();
    moduleRef = await startBackfillRunner(database, ghl);
  });

  afterAll(async () => {
    await moduleRef.close();
    await ghl.stop();
    await database.drop();
  });

  it('names the pipelines and stages that webhooks recorded without names, and keeps GHL’s stage order', async () => {
    const sales = ghl.seedPipeline(['Lead', 'Discovery call', 'Won back']);
    const renewals = ghl.seedPipeline(['Due', 'Renewed']);
    // What an opportunity webhook leaves behind: ids only.
    const [pipeline] = await database.query<{ id: string }>(
      'INSERT INTO pipelines (ghl_pipeline_id) VALUES ($1) RETURNING id',
      [sales.id],
    );
    await database.query('INSERT INTO pipeline_stages (ghl_stage_id, pipeline_id) VALUES ($1, $2)', [
      sales.stages[1]!.id,
      pipeline!.id,
    ]);

    expect(await moduleRef.get(PipelinesBackfill).run()).toMatchObject({
      object: 'pipelines',
      pages: 1,
      records: 2 + 5,
    });

    const rows = await database.query<{ pipeline: string; ghl_stage_id: string; name: string; position: number }>(`
      SELECT p.name AS pipeline, s.ghl_stage_id, s.name, s.position
      FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id
      ORDER BY p.name, s.position`);
    expect(rows).toEqual([
      ...sales.stages.map((stage) => ({
        pipeline: sales.name,
        ghl_stage_id: stage.id,
        name: stage.name,
        position: stage.position,
      })),
      ...renewals.stages.map((stage) => ({
        pipeline: renewals.name,
        ghl_stage_id: stage.id,
        name: stage.name,
        position: stage.position,
      })),
    ]);
    expect(await database.query('SELECT id FROM pipelines WHERE ghl_pipeline_id = $1', [sales.id])).toEqual([
      { id: pipeline!.id },
    ]);

    sales.stages[0]!.name = 'New lead';
    await moduleRef.get(PipelinesBackfill).run();
    const [renamed] = await database.query<{ name: string }>(
      'SELECT name FROM pipeline_stages WHERE ghl_stage_id = $1',
      [sales.stages[0]!.id],
    );
    expect(renamed!.name).toBe('New lead');
    const [cursor] = await database.query<{ last_completed_at: Date | null }>(
      "SELECT last_completed_at FROM ghl_sync.sync_cursors WHERE object = 'pipelines'",
    );
    expect(cursor!.last_completed_at).toBeInstanceOf(Date);
  });
});
