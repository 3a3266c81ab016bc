import type { TestingModule } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackfillProgress } from '../../src/backfill/checkpointed-listing.js';
import { OpportunitiesBackfill } from '../../src/backfill/opportunities-backfill.js';
import { OpportunitiesService } from '../../src/opportunities/opportunities.service.js';
import { mapGhlOpportunity } from '../../src/opportunities/opportunity.mapper.js';
import { CheckpointedListing } from '../../src/backfill/checkpointed-listing.js';
import { startBackfillRunner } from '../support/backfill-runner.js';
import { GhlApiStandIn, type StandInOpportunity } from '../support/ghl-api-stand-in.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface OpportunityRow {
  ghl_opportunity_id: string;
  name: string | null;
  monetary_value: number | null;
  status: string;
  status_raw: string | null;
  ghl_pipeline_id: string | null;
  ghl_stage_id: string | null;
  ghl_contact_id: string | null;
  contact_ghl_contact_id: string | null;
  ghl_version: string | null;
  deleted_at: Date | null;
}

describe('opportunities backfill from the GHL REST API', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  let moduleRef: TestingModule;
  let runner: OpportunitiesBackfill;
  const run = (options: { full?: boolean } = {}) => moduleRef.get(CheckpointedListing).run(runner, options);

  const rows = () =>
    database.query<OpportunityRow>(
      `SELECT o.ghl_opportunity_id, o.name, o.monetary_value, o.status, o.status_raw, p.ghl_pipeline_id,
              s.ghl_stage_id, o.ghl_contact_id, c.ghl_contact_id AS contact_ghl_contact_id, o.ghl_version, o.deleted_at
       FROM opportunities o
       LEFT JOIN pipelines p ON p.id = o.pipeline_id
       LEFT JOIN pipeline_stages s ON s.id = o.stage_id
       LEFT JOIN contacts c ON c.id = o.contact_id
       WHERE o.ghl_location_id = $1 ORDER BY o.ghl_opportunity_id`,
      [ghl.locationId],
    );
  const deletedIds = async () =>
    (await rows())
      .filter((row) => row.deleted_at !== null)
      .map((row) => row.ghl_opportunity_id)
      .sort();
  const okSearches = () =>
    ghl.requests.filter((request) => request.path === '/opportunities/search' && request.status === 200).length;
  const byCreation = () =>
    [...ghl.opportunities.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));

  beforeAll(async () => {
    database = await createTestDatabase('backfill_opportunities');
    ghl = await GhlApiStandIn.start();
    const contacts = ghl.seedContacts(20);
    ghl.seedOpportunities(150, ghl.seedPipeline(), contacts);
    ghl.seedOpportunities(100, ghl.seedPipeline(['Due', 'Renewed']), contacts);
    moduleRef = await startBackfillRunner(database, ghl);
    runner = moduleRef.get(OpportunitiesBackfill);
  });

  afterAll(async () => {
    await moduleRef.close();
    await ghl.stop();
    await database.drop();
  });

  it('copies every opportunity through the webhooks’ mapper, 100 a page, paging on startAfter + startAfterId', async () => {
    expect(runner.pageLimit).toBe(100);
    const progress: BackfillProgress[] = [];
    const result = await moduleRef.get(CheckpointedListing).run(runner, {
      full: true,
      onProgress: (update) => {
        progress.push(update);
        // Paging on one of startAfter / startAfterId alone restarts at page 1 and never ends.
        if (update.pages > 3) throw new Error('the listing restarted instead of paging');
      },
    });
    expect(result).toEqual({
      object: 'opportunities',
      pages: 3,
      records: 250,
      tombstoned: 0,
      resumed: false,
      full: true,
    });
    expect(okSearches()).toBe(3);
    expect(progress.map(({ pages, records, total }) => ({ pages, records, total }))).toEqual([
      { pages: 0, records: 0, total: undefined },
      { pages: 1, records: 100, total: 250 },
      { pages: 2, records: 200, total: 250 },
      { pages: 3, records: 250, total: 250 },
    ]);
    expect(ghl.throttled).toBe(0);

    const expected = [...ghl.opportunities.values()].sort((a, b) => a.id.localeCompare(b.id));
    expect(await rows()).toEqual(
      expected.map((opportunity) => ({
        ghl_opportunity_id: opportunity.id,
        name: opportunity.name,
        monetary_value: opportunity.monetaryValue,
        status: opportunity.status.toUpperCase(),
        status_raw: opportunity.status,
        ghl_pipeline_id: opportunity.pipelineId,
        ghl_stage_id: opportunity.pipelineStageId,
        ghl_contact_id: opportunity.contactId,
        contact_ghl_contact_id: opportunity.contactId,
        ghl_version: `${new Date(opportunity.updatedAt).toISOString()}|backfill:${opportunity.id}`,
        deleted_at: null,
      })),
    );
    const [cursor] = await database.query<{ cursor: unknown; last_completed_at: Date | null }>(
      "SELECT cursor, last_completed_at FROM ghl_sync.sync_cursors WHERE object = 'opportunities'",
    );
    expect(cursor).toMatchObject({ cursor: null });
    expect(cursor!.last_completed_at).toBeInstanceOf(Date);
  });

  it('resumes a failed run at its checkpoint: only the remaining pages are fetched', async () => {
    const before = okSearches();
    ghl.injectFailures({ delayMs: 0 }, { status: 502 });
    await expect(run({ full: true })).rejects.toThrow();
    expect(okSearches() - before).toBe(1);
    const [checkpoint] = await database.query<{ cursor: Record<string, unknown>; last_error: string }>(
      "SELECT cursor, last_error FROM ghl_sync.sync_cursors WHERE object = 'opportunities'",
    );
    const lastOfPageOne = byCreation()[99]!;
    expect(checkpoint!.cursor).toMatchObject({
      pages: 1,
      records: 100,
      position: { startAfter: String(Date.parse(lastOfPageOne.createdAt)), startAfterId: lastOfPageOne.id },
    });
    expect(checkpoint!.last_error).toContain('Injected failure');

    const afterFailure = okSearches();
    const resumed = await run({ full: true });
    expect(resumed).toMatchObject({ pages: 3, records: 250, tombstoned: 0, resumed: true });
    expect(okSearches() - afterFailure).toBe(2);
    expect(await rows()).toHaveLength(250);
  });

  it('tombstones opportunities gone from GHL only after a complete listing', async () => {
    const removed = byCreation().slice(0, 7);
    for (const opportunity of removed) ghl.opportunities.delete(opportunity.id);
    const startedBefore = new Date();
    expect((await run({ full: true })).tombstoned).toBe(7);
    expect(await deletedIds()).toEqual(removed.map((opportunity) => opportunity.id).sort());
    const [deletion] = await database.query<{ deleted_at: Date }>(
      'SELECT deleted_at FROM opportunities WHERE ghl_opportunity_id = $1',
      [removed[0]!.id],
    );
    expect(deletion!.deleted_at.getTime()).toBeGreaterThanOrEqual(startedBefore.getTime() - 1);

    const alsoRemoved = byCreation().slice(-3);
    for (const opportunity of alsoRemoved) ghl.opportunities.delete(opportunity.id);
    ghl.injectFailures({ delayMs: 0 }, { status: 502 });
    await expect(run({ full: true })).rejects.toThrow();
    expect(await deletedIds()).toHaveLength(7);

    expect((await run({ full: true })).tombstoned).toBe(3);
    expect(await deletedIds()).toEqual([...removed, ...alsoRemoved].map((opportunity) => opportunity.id).sort());
  });

  it('an incremental run lists everything, and the newer version wins either way', async () => {
    const [renamedByWebhook, editedInGhl] = byCreation() as [StandInOpportunity, StandInOpportunity];
    // A webhook newer than the record GHL's search will return.
    await moduleRef
      .get(OpportunitiesService)
      .applyGhlOpportunity(
        mapGhlOpportunity(
          { ...renamedByWebhook, name: 'Renamed by webhook', timestamp: new Date().toISOString() },
          'webhook-key',
        ),
        'upsert',
      );
    // An edit in GHL after the last backfill, that no webhook delivered.
    editedInGhl.name = 'Edited in GHL';
    editedInGhl.monetaryValue = 4_200;
    editedInGhl.updatedAt = new Date(Date.now() + 1000).toISOString();
    const versionsBefore = new Map((await rows()).map((row) => [row.ghl_opportunity_id, row.ghl_version]));

    const before = okSearches();
    const result = await run();
    expect(result).toMatchObject({ pages: 3, records: 240, tombstoned: 0, full: false, resumed: false });
    expect(okSearches() - before).toBe(3);

    const stored = new Map((await rows()).map((row) => [row.ghl_opportunity_id, row]));
    expect(stored.get(renamedByWebhook.id)).toMatchObject({ name: 'Renamed by webhook', deleted_at: null });
    expect(stored.get(renamedByWebhook.id)!.ghl_version).toMatch(/\|webhook-key$/);
    expect(stored.get(editedInGhl.id)).toMatchObject({ name: 'Edited in GHL', monetary_value: 4_200 });
    const rewritten = [...stored.values()].filter(
      (row) => row.ghl_version !== versionsBefore.get(row.ghl_opportunity_id),
    );
    expect(rewritten.map((row) => row.ghl_opportunity_id)).toEqual([editedInGhl.id]);
  });
});
