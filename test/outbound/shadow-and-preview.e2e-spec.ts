import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { GhlApiStandIn, type StandInContact } from '../support/ghl-api-stand-in.js';
import { outboundWaits, startPushingService } from '../support/outbound.js';
import { eventually, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const LINKED = 50;
const CREATED = 50;

interface PlanRow {
  contactId: string;
  ghlContactId: string | null;
  mode: string;
  action: string;
  changes: { field: string; from: string | null; to: string | null; rule: string }[];
  tagsToAdd: string[];
  tagsToRemove: string[];
  apiCalls: number;
  reason: string | null;
}

const PLAN_FIELDS = 'action ghlContactId changes { field from to rule } tagsToAdd tagsToRemove apiCalls reason';

/**
 * Shadow mode, preview and the switch to push (ADR 0024), as an operator rolls two-way sync out:
 * 100 TrainU changes (50 contacts GHL has by email, 50 it does not) planned in shadow mode with
 * nothing written anywhere; the preview (GraphQL and CLI) showing those very plans; then push mode
 * sending each due change exactly once and carrying out the plans shadow mode recorded.
 */
describe('outbound shadow mode, preview, and the switch to push', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  let service: TestApp;
  let inGhl: StandInContact[];
  const contactIds: string[] = [];

  const plans = (mode: string) =>
    database.query<PlanRow>(
      `SELECT contact_id AS "contactId", ghl_contact_id AS "ghlContactId", mode, action, changes,
              tags_to_add AS "tagsToAdd", tags_to_remove AS "tagsToRemove", api_calls AS "apiCalls", reason
         FROM ghl_sync.outbound_plans WHERE mode = $1 ORDER BY id`,
      [mode],
    );
  /** Everything the service could have written: TrainU's contacts, the outbox, the ledgers, GHL's records. */
  const everything = async () => ({
    contacts: await database.query(`SELECT md5(string_agg(c::text, ',' ORDER BY c.id)) AS hash FROM contacts c`),
    outbox: await database.query(
      `SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) AS hash FROM ghl_sync.contact_outbox o`,
    ),
    ledgers: await database.query(
      `SELECT (SELECT count(*) FROM ghl_sync.outbound_plans)::int AS plans,
              (SELECT count(*) FROM ghl_sync.outbound_echoes)::int AS echoes,
              (SELECT count(*) FROM ghl_sync.outbound_writes)::int AS writes,
              (SELECT count(*) FROM ghl_sync.sync_conflicts)::int AS conflicts,
              (SELECT count(*) FROM ghl_sync.contact_sync_state)::int AS agreed`,
    ),
    ghlWrites: ghl.writes.length,
    ghlContacts: JSON.stringify([...ghl.contacts.values()]),
  });
  const preview = async (contactId: string) => {
    const response = await service.graphql(`query ($id: ID!) { outboundPreview(contactId: $id) { ${PLAN_FIELDS} } }`, {
      variables: { id: contactId },
    });
    return (await response.json()) as {
      data?: { outboundPreview: Omit<PlanRow, 'contactId' | 'mode'> };
      errors?: { extensions: { code: string } }[];
    };
  };
  const cli = async (...args: string[]) =>
    promisify(execFile)(process.execPath, [join(PROJECT_ROOT, 'dist/cli/outbound.js'), ...args], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: database.url,
        GHL_API_BASE_URL: ghl.url,
        GHL_LOCATION_ID: ghl.locationId,
        GHL_PRIVATE_INTEGRATION_TOKEN: ghl.token,
        OUTBOUND_MODE: 'shadow',
      },
    });
  const withoutMode = (plan: PlanRow): Omit<PlanRow, 'mode'> => {
    const { mode, ...rest } = plan;
    expect(['push', 'shadow']).toContain(mode);
    return rest;
  };
  const { quiet } = outboundWaits(
    () => database,
    () => ghl,
  );

  beforeAll(async () => {
    database = await createTestDatabase('outbound_shadow');
    // GHL's burst of 100 requests, in a 1 s window instead of 10 s (as outbound-at-scale does).
    ghl = await GhlApiStandIn.start({ limits: { burst: 100, windowMs: 1_000 } });
    inGhl = ghl.seedContacts(LINKED);
    service = await startPushingService(database, ghl, { OUTBOUND_MODE: 'shadow', LOG_LEVEL: 'warn' });
  });

  afterAll(async () => {
    await service?.close();
    await ghl?.stop();
    await database?.drop();
  });

  // Waits are generous: on a loaded two-core CI machine 100 contacts take many times their ~5 s alone.
  it(
    'plans 100 TrainU changes, one recorded plan each, and writes nothing to GHL or to TrainU',
    { timeout: 150_000 },
    async () => {
      // TrainU's apps: the contacts GHL has, by email in another case and with another first name; and new ones.
      const rows = await database.query<{ id: string }>(
        `INSERT INTO contacts (email, first_name)
       SELECT upper(e.email), 'Shadow ' || e.n FROM unnest($1::text[]) WITH ORDINALITY AS e(email, n)
       UNION ALL
       SELECT 'shadow.new.' || n || '@example.com', 'New ' || n FROM generate_series(1, $2::int) n
       RETURNING id`,
        [inGhl.map((contact) => contact.email), CREATED],
      );
      contactIds.push(...rows.map((row) => row.id));

      const shadowPlans = await eventually(
        async () => {
          const recorded = await plans('shadow');
          return recorded.length >= LINKED + CREATED ? recorded : undefined;
        },
        120_000,
        '100 shadow plans',
      );

      expect(shadowPlans).toHaveLength(100);
      expect(new Set(shadowPlans.map((plan) => plan.contactId))).toEqual(new Set(contactIds));
      expect(ghl.writes).toEqual([]);
      expect(ghl.contacts.size).toBe(LINKED);
      const byAction = (action: string) => shadowPlans.filter((plan) => plan.action === action);
      expect(byAction('LINK')).toHaveLength(LINKED);
      expect(byAction('CREATE')).toHaveLength(CREATED);
      // A linked one: TrainU's later first name goes to GHL; an email lookup and a PUT.
      const ghlOf = new Map(inGhl.map((contact) => [contact.email, contact]));
      const [firstLinked] = await database.query<{ id: string; email: string }>(
        'SELECT id, email FROM contacts WHERE id = $1',
        [contactIds[0]],
      );
      const linkedPlan = shadowPlans.find((plan) => plan.contactId === contactIds[0])!;
      expect(linkedPlan).toMatchObject({
        action: 'LINK',
        ghlContactId: ghlOf.get(firstLinked!.email.toLowerCase())!.id,
        changes: [{ field: 'firstName', from: 'Jordan', to: 'Shadow 1', rule: 'two_way' }],
        apiCalls: 2,
      });
      const createPlan = shadowPlans.find((plan) => plan.contactId === contactIds[LINKED])!;
      expect(createPlan).toMatchObject({
        action: 'CREATE',
        ghlContactId: null,
        changes: [
          { field: 'email', from: null, to: 'shadow.new.1@example.com', rule: 'two_way' },
          { field: 'firstName', from: null, to: 'New 1', rule: 'two_way' },
        ],
        apiCalls: 2,
      });
      // TrainU as its apps left it: not linked, the email not even normalised; every change still due.
      const [trainu] = await database.query<{ unlinked: number; upper: number; due: number; planned: number }>(
        `SELECT (SELECT count(*)::int FROM contacts WHERE ghl_contact_id IS NULL) AS unlinked,
              (SELECT count(*)::int FROM contacts WHERE email <> lower(email)) AS upper,
              (SELECT count(*)::int FROM ghl_sync.contact_outbox WHERE pushed_at IS NULL) AS due,
              (SELECT count(*)::int FROM ghl_sync.contact_outbox WHERE planned_at IS NOT NULL) AS planned`,
      );
      expect(trainu).toEqual({ unlinked: 100, upper: LINKED, due: 100, planned: 100 });
    },
  );

  it('shows, in outboundPreview and in `npm run outbound -- preview`, the plan the worker made, writing nothing', async () => {
    const before = await everything();
    const shadowPlans = new Map((await plans('shadow')).map((plan) => [plan.contactId, plan]));

    for (const contactId of [contactIds[0]!, contactIds[LINKED]!]) {
      const expected = withoutMode(shadowPlans.get(contactId)!);
      expect({ contactId, ...(await preview(contactId)).data?.outboundPreview }).toEqual(expected);
      const printed = JSON.parse((await cli('preview', '--contact', contactId, '--json')).stdout) as PlanRow;
      expect(printed).toEqual(expected);
    }
    const text = (await cli('preview', '--contact', contactIds[0]!)).stdout;
    expect(text).toContain(
      `contact ${contactIds[0]} → GHL contact ${shadowPlans.get(contactIds[0]!)!.ghlContactId}: LINK, 2 GHL request(s)`,
    );
    expect(text).toContain('firstName  "Jordan" → "Shadow 1"  [two_way]');

    const summary = JSON.parse((await cli('preview', '--all', '--json')).stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      contacts: 100,
      byAction: { CREATE: CREATED, LINK: LINKED, UPDATE: 0, DELETE: 0, NOOP: 0, BLOCKED: 0 },
      apiCalls: [...shadowPlans.values()].reduce((sum, plan) => sum + plan.apiCalls, 0),
      dailyReserve: 10_000,
      fitsToday: true,
    });
    expect(summary.dailyRemaining).toBeLessThan(200_000); // what the shadow and the previews spent reading

    // Bad input: an id that is no contact, and one that is not an id.
    const codesOf = async (id: string): Promise<string[] | undefined> => {
      const { errors } = await preview(id);
      return errors?.map(({ extensions }) => extensions.code);
    };
    expect(await codesOf('00000000-0000-4000-8000-000000000000')).toEqual(['NOT_FOUND']);
    expect(await codesOf('not-an-id')).toEqual(['BAD_REQUEST']);
    await expect(cli('preview', '--contact', 'not-an-id')).rejects.toMatchObject({
      code: 2,
      stdout: expect.stringContaining('--contact is not a contact id (a UUID): not-an-id') as string,
    });

    expect(await everything()).toEqual(before);
  }, 120_000);

  it(
    'switched to push, sends each due change once and carries out the plans shadow mode recorded',
    { timeout: 150_000 },
    async () => {
      const shadowPlans = new Map((await plans('shadow')).map((plan) => [plan.contactId, plan]));
      await service.close();
      service = await startPushingService(database, ghl, { LOG_LEVEL: 'warn' });

      await eventually(
        async () => {
          const [row] = await database.query<{ linked: number; due: number }>(
            `SELECT (SELECT count(*)::int FROM contacts WHERE ghl_contact_id IS NOT NULL) AS linked,
                  (SELECT count(*)::int FROM ghl_sync.contact_outbox WHERE pushed_at IS NULL) AS due`,
          );
          return row!.linked === 100 && row!.due === 0 ? true : undefined;
        },
        120_000,
        'every contact pushed',
      );
      await quiet();

      expect(ghl.actions).toMatchObject({ create: CREATED, update: LINKED, addTags: 0, removeTags: 0, delete: 0 });
      expect(ghl.writes).toHaveLength(CREATED + LINKED);
      const updated = ghl.writes.filter((write) => write.method === 'PUT').map((write) => write.path);
      expect(new Set(updated).size).toBe(LINKED);
      expect(new Set([...ghl.contacts.values()].map((contact) => contact.email)).size).toBe(100);

      const pushPlans = await plans('push');
      expect(pushPlans).toHaveLength(100);
      for (const plan of pushPlans) {
        const shadow = withoutMode(shadowPlans.get(plan.contactId)!);
        // A create's plan has no GHL id yet; the push records the one GHL gave.
        expect(withoutMode(plan)).toEqual({ ...shadow, ghlContactId: shadow.ghlContactId ?? plan.ghlContactId });
      }
      // Nothing is due any more: the preview says so, and no further write went out.
      expect((await preview(contactIds[0]!)).data?.outboundPreview).toMatchObject({ action: 'NOOP', apiCalls: 0 });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(ghl.writes).toHaveLength(CREATED + LINKED);
    },
  );
});
