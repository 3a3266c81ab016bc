import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GhlOpportunityWebhookDto } from '../../src/opportunities/dto/opportunity-webhook.dto.js';
import { mapGhlOpportunity } from '../../src/opportunities/opportunity.mapper.js';
import { OpportunitiesService } from '../../src/opportunities/opportunities.service.js';
import { ReadPrismaService } from '../../src/database/read-prisma.service.js';
import { ghlId, GhlStandIn } from '../support/ghl-stand-in.js';
import { processedInboxRow, syncDelivery } from '../support/inbox.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { burstOrders, opportunityBursts } from './opportunity-bursts.js';

/** The row as reporting sees it: everything but surrogate ids, the tie-break key and bookkeeping times. */
const FINAL_ROW = `
  SELECT o.name, o.status, o.status_raw, o.monetary_value, o.ghl_updated_at, o.deleted_at,
         p.ghl_pipeline_id, s.ghl_stage_id, c.ghl_contact_id
  FROM opportunities o
  LEFT JOIN pipelines p ON p.id = o.pipeline_id
  LEFT JOIN pipeline_stages s ON s.id = o.stage_id
  LEFT JOIN contacts c ON c.id = o.contact_id
  WHERE o.ghl_opportunity_id = $1`;

describe('opportunities: GHL opportunity webhooks, in any order', () => {
  const ghl = new GhlStandIn();
  const startedAt = Date.now() - 60_000;
  let database: TestDatabase;
  let service: TestApp;

  const finalRow = async (ghlOpportunityId: string) =>
    (await database.query<Record<string, unknown>>(FINAL_ROW, [ghlOpportunityId]))[0];

  /** The row one order of the bursts leaves, applied one event after the other. */
  const expectedRow = {
    name: 'Twelve-week coaching',
    status: 'WON',
    status_raw: 'won',
    monetary_value: 1200,
    ghl_updated_at: new Date(startedAt + 3_005),
    deleted_at: new Date(startedAt + 3_000),
    ghl_pipeline_id: 'pipeline-sales',
    ghl_stage_id: 'stage-call',
  };

  beforeAll(async () => {
    database = await createTestDatabase('opportunities');
    service = await startTestApp(database.url, ghl.env());
  });

  afterAll(async () => {
    await service.close();
    await database.drop();
  });

  it('ends in the same row for all 384 orders of the create, stage, won and delete bursts (applied in process)', async () => {
    const opportunities = service.app.get(OpportunitiesService);
    const orders = burstOrders();
    expect(orders).toHaveLength(384);
    const contactId = ghlId();
    const runs = orders.map((order, index) => {
      const id = `perm-${index}`;
      const events = opportunityBursts(ghl, { id, contactId }, startedAt).flat();
      return { id, events: order.map((position) => events[position]!) };
    });
    for (let start = 0; start < runs.length; start += 32) {
      await Promise.all(
        runs.slice(start, start + 32).map(async ({ events }) => {
          for (const event of events) {
            const change = mapGhlOpportunity(
              event as unknown as GhlOpportunityWebhookDto,
              `webhook:${event.webhookId as string}`,
            );
            await opportunities.applyGhlOpportunity(change, event.type === 'OpportunityDelete' ? 'delete' : 'upsert');
          }
        }),
      );
    }
    const rows = await database.query<Record<string, unknown>>(
      `${FINAL_ROW.replace('WHERE o.ghl_opportunity_id = $1', "WHERE o.ghl_opportunity_id LIKE 'perm-%'")}`,
    );
    expect(rows).toHaveLength(384);
    const distinct = new Set(rows.map((row) => JSON.stringify(row)));
    expect([...distinct].map((row) => JSON.parse(row) as unknown)).toEqual([
      {
        ...expectedRow,
        ghl_updated_at: expectedRow.ghl_updated_at.toISOString(),
        deleted_at: expectedRow.deleted_at.toISOString(),
        ghl_contact_id: contactId,
      },
    ]);
  });

  it('ends in the same row over HTTP, through the inbox and the workers, for 24 orders', async () => {
    // One order per permutation of the four bursts, each with another pattern of swapped pairs.
    const orders = burstOrders().filter((_, index) => index % 16 === Math.floor(index / 16) % 16);
    const contactId = ghlId();
    const ids = await Promise.all(
      orders.map(async (order) => {
        const id = ghlId();
        const events = opportunityBursts(ghl, { id, contactId }, startedAt).flat();
        for (const position of order) {
          const event = events[position]!;
          expect((await ghl.deliver(service.url, event)).status).toBe(200);
          await processedInboxRow(database, { idempotencyKey: `webhook:${event.webhookId as string}` });
        }
        return id;
      }),
    );
    for (const id of ids) expect(await finalRow(id)).toEqual({ ...expectedRow, ghl_contact_id: contactId });
  });

  it('refuses a monetary value that is not a number (400, field named)', async () => {
    const event = ghl.opportunityEvent('OpportunityMonetaryValueUpdate', { monetaryValue: '40 dollars' });
    const response = await ghl.deliver(service.url, event);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'PAYLOAD_INVALID', field: 'monetaryValue' });
  });

  describe('pipelines read API', () => {
    const pipelineId = `pipeline-${ghlId()}`;
    const stageX = `stage-x-${pipelineId}`;
    const stageY = `stage-y-${pipelineId}`;
    /** Delivers over HTTP and waits for the worker; the inbox outcome. */
    const sync = (event: Record<string, unknown>) => syncDelivery(ghl, service.url, database, event);

    beforeAll(async () => {
      const opportunity = (status: string, stage: string, extra: object = {}) =>
        ghl.opportunityEvent('OpportunityCreate', { pipelineId, pipelineStageId: stage, status, ...extra });
      const deletedId = ghlId();
      await Promise.all(
        [
          opportunity('open', stageX),
          opportunity('open', stageX),
          opportunity('open', stageX, { id: deletedId }),
          opportunity('won', stageX),
          opportunity('lost', stageX),
          opportunity('abandoned', stageX),
          opportunity('open', stageY),
        ].map(sync),
      );
      await sync(
        ghl.opportunityEvent('OpportunityDelete', {
          id: deletedId,
          pipelineId,
          pipelineStageId: stageX,
          status: 'open',
        }),
      );
    });

    const pipelinesQuery = `{ pipelines { id ghlPipelineId name stages { id ghlStageId name position opportunityCount } } }`;
    type PipelineView = {
      id: string;
      ghlPipelineId: string;
      name: string;
      stages: { id: string; ghlStageId: string; name: string; position: number; opportunityCount: number }[];
    };
    const pipelineView = async () => {
      const body = (await (await service.graphql(pipelinesQuery)).json()) as { data: { pipelines: PipelineView[] } };
      return body.data.pipelines.find((pipeline) => pipeline.ghlPipelineId === pipelineId)!;
    };

    it('counts only open, not deleted opportunities per stage; unknown names show the GHL id until the backfill', async () => {
      const pipeline = await pipelineView();
      expect(pipeline.name).toBe(pipelineId);
      // Stages without a position are listed in the order first seen, which the concurrent
      // deliveries above leave open (a batch may apply stage Y's event first): compare by id.
      expect(
        pipeline.stages
          .map(({ ghlStageId, name, position, opportunityCount }) => ({ ghlStageId, name, position, opportunityCount }))
          .sort((a, b) => a.ghlStageId.localeCompare(b.ghlStageId)),
      ).toEqual([
        { ghlStageId: stageX, name: stageX, position: -1, opportunityCount: 2 },
        { ghlStageId: stageY, name: stageY, position: -1, opportunityCount: 1 },
      ]);
    });

    it('orders stages by the position the backfill records, and filters opportunities by pipeline, stage and status', async () => {
      await database.query(`UPDATE pipelines SET name = 'Sales' WHERE ghl_pipeline_id = $1`, [pipelineId]);
      await database.query(`UPDATE pipeline_stages SET name = 'Discovery call', position = 0 WHERE ghl_stage_id = $1`, [
        stageY,
      ]);
      await database.query(`UPDATE pipeline_stages SET name = 'Lead', position = 1 WHERE ghl_stage_id = $1`, [stageX]);
      const pipeline = await pipelineView();
      expect(pipeline.name).toBe('Sales');
      expect(pipeline.stages.map((stage) => [stage.name, stage.position, stage.opportunityCount])).toEqual([
        ['Discovery call', 0, 1],
        ['Lead', 1, 2],
      ]);

      const lead = pipeline.stages[1]!;
      const body = (await (
        await service.graphql(
          `query($f: OpportunityFilter) { opportunities(filter: $f) { totalCount edges { node { status stage { name } pipeline { name } contact { ghlContactId } } } } }`,
          { variables: { f: { pipelineId: pipeline.id, stageId: lead.id, status: 'WON' } } },
        )
      ).json()) as { data: { opportunities: { totalCount: number; edges: { node: Record<string, unknown> }[] } } };
      expect(body.data.opportunities.totalCount).toBe(1);
      expect(body.data.opportunities.edges[0]!.node).toMatchObject({
        status: 'WON',
        stage: { name: 'Lead' },
        pipeline: { name: 'Sales' },
        contact: { ghlContactId: expect.any(String) as string },
      });
    });

    it('loads a page of opportunities with contact, pipeline and stage in a bounded number of queries', async () => {
      const prisma = service.app.get(ReadPrismaService);
      const queriesFor = async (first: number) => {
        const before = prisma.queryCount;
        const response = await service.graphql(
          `query($first: Int) { opportunities(first: $first, filter: { includeDeleted: true }) { edges { node { id contact { id } pipeline { name } stage { name opportunityCount } } } } }`,
          { variables: { first } },
        );
        const body = (await response.json()) as { data: { opportunities: { edges: unknown[] } } };
        expect(body.data.opportunities.edges.length).toBe(first);
        return prisma.queryCount - before;
      };
      const fifty = await queriesFor(50);
      expect(fifty).toBe(await queriesFor(3));
      expect(fifty).toBeGreaterThan(0); // counted on the read API's own client: it served them
      expect(fifty).toBeLessThanOrEqual(6);
    });

    it('lists a contact’s live opportunities', async () => {
      const contactGhlId = ghlId();
      const kept = ghl.opportunityEvent('OpportunityCreate', { contactId: contactGhlId, name: 'Kept' });
      const removed = ghl.opportunityEvent('OpportunityCreate', { contactId: contactGhlId, name: 'Removed' });
      await sync(kept);
      await sync(removed);
      await sync(ghl.opportunityEvent('OpportunityDelete', { id: removed.id, contactId: contactGhlId }));
      const body = (await (
        await service.graphql(`query($id: String) { contact(ghlContactId: $id) { opportunities { name } } }`, {
          variables: { id: contactGhlId },
        })
      ).json()) as { data: { contact: { opportunities: { name: string }[] } } };
      expect(body.data.contact.opportunities).toEqual([{ name: 'Kept' }]);
    });
  });
});
