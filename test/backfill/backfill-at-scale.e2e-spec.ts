import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestingModule } from '@nestjs/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BackfillService } from '../../src/backfill/backfill.service.js';
import { startBackfillRunner } from '../support/backfill-runner.js';
import { GhlApiStandIn } from '../support/ghl-api-stand-in.js';
import { ServiceProcess } from '../support/service-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const CONTACTS = 25_000;
const OPPORTUNITIES = 2_000;
const APPOINTMENTS = 5_000;
/** 25,000 contacts in pages of 500, and the empty page that ends the listing. */
const CONTACT_PAGES = CONTACTS / 500 + 1;

/**
 * The whole backfill at the size the issue names, against the GHL stand-in enforcing GHL's 100
 * requests / 10 s: in process, as two `npm run backfill` processes at once, and killed with SIGKILL
 * halfway through contacts then run again. Every run must leave TrainU identical to the stand-in.
 * One database for all three (its synced tables emptied before each), so the rate-limit governor's
 * memory of recent requests carries over as it would in production.
 */
describe('backfill at scale: 25,000 contacts, 2,000 opportunities, 5,000 appointments', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  let cwd: string;

  const okRequests = (path: string) =>
    ghl.requests.filter((request) => request.path === path && request.status === 200).length;
  const cli = (args: string[]) =>
    new ServiceProcess(
      cwd,
      {
        DATABASE_URL: database.url,
        GHL_API_BASE_URL: ghl.url,
        GHL_LOCATION_ID: ghl.locationId,
        GHL_PRIVATE_INTEGRATION_TOKEN: ghl.token,
      },
      'dist/cli/backfill.js',
      args,
    );

  beforeAll(async () => {
    database = await createTestDatabase('backfill_scale');
    ghl = await GhlApiStandIn.start();
    const contacts = ghl.seedContacts(CONTACTS);
    ghl.seedOpportunities(OPPORTUNITIES, ghl.seedPipeline(), contacts);
    ghl.seedAppointments(APPOINTMENTS, contacts);
    cwd = mkdtempSync(join(tmpdir(), 'trainu-backfill-'));
    // Migrated once, here, so the two processes below do not both start on an empty database.
    await (await startBackfillRunner(database, ghl)).close();
  });

  beforeEach(async () => {
    await database.query(
      'TRUNCATE contacts, bookings, opportunities, pipelines, pipeline_stages, ghl_sync.domain_events, ghl_sync.sync_cursors, ghl_sync.backfill_seen CASCADE',
    );
  });

  afterAll(async () => {
    await ghl.stop();
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  /** TrainU's rows, read back in the stand-in's shape. */
  async function stored() {
    const contacts = await database.query<{ id: string; email: string; phone: string; name: string; tags: string }>(
      `SELECT c.ghl_contact_id AS id, c.email, c.phone, c.first_name || ' ' || c.last_name AS name,
              string_agg(t.tag, ',' ORDER BY t.tag) AS tags
       FROM contacts c LEFT JOIN contact_tags t ON t.contact_id = c.id
       WHERE c.deleted_at IS NULL GROUP BY c.id ORDER BY c.ghl_contact_id`,
    );
    const opportunities = await database.query<Record<string, unknown>>(
      `SELECT o.ghl_opportunity_id AS id, o.name, o.monetary_value::float AS value, o.status_raw AS status,
              p.ghl_pipeline_id AS pipeline, s.ghl_stage_id AS stage, c.ghl_contact_id AS contact
       FROM opportunities o JOIN pipelines p ON p.id = o.pipeline_id JOIN pipeline_stages s ON s.id = o.stage_id
       JOIN contacts c ON c.id = o.contact_id WHERE o.deleted_at IS NULL ORDER BY o.ghl_opportunity_id`,
    );
    const bookings = await database.query<Record<string, unknown>>(
      `SELECT b.ghl_appointment_id AS id, b.calendar_id AS calendar, b.status_raw AS status,
              b.starts_at AS "startsAt", b.ends_at AS "endsAt", c.ghl_contact_id AS contact
       FROM bookings b JOIN contacts c ON c.id = b.contact_id WHERE b.deleted_at IS NULL ORDER BY b.ghl_appointment_id`,
    );
    return { contacts, opportunities, bookings };
  }

  /** The stand-in's records, sorted as `stored()` sorts. */
  function expected() {
    const byId = <T extends { id: string }>(items: Iterable<T>) => [...items].sort((a, b) => (a.id < b.id ? -1 : 1));
    return {
      contacts: byId(ghl.contacts.values()).map((contact) => ({
        id: contact.id,
        email: contact.email,
        phone: contact.phone,
        name: `${contact.firstName} ${contact.lastName}`,
        tags: [...contact.tags].sort().join(','),
      })),
      opportunities: byId(ghl.opportunities.values()).map((opportunity) => ({
        id: opportunity.id,
        name: opportunity.name,
        value: opportunity.monetaryValue,
        status: opportunity.status,
        pipeline: opportunity.pipelineId,
        stage: opportunity.pipelineStageId,
        contact: opportunity.contactId,
      })),
      bookings: byId(ghl.appointments.values()).map((appointment) => ({
        id: appointment.id,
        calendar: appointment.calendarId,
        status: appointment.appointmentStatus,
        startsAt: new Date(appointment.startTime),
        endsAt: new Date(appointment.endTime),
        contact: appointment.contactId,
      })),
    };
  }

  async function expectIdenticalToStandIn(): Promise<void> {
    const actual = await stored();
    const wanted = expected();
    expect(actual.contacts).toHaveLength(CONTACTS);
    expect(actual.opportunities).toHaveLength(OPPORTUNITIES);
    expect(actual.bookings).toHaveLength(APPOINTMENTS);
    expect(actual).toEqual(wanted);
  }

  it('one run copies everything exactly, with no 429', { timeout: 180_000 }, async () => {
    const moduleRef: TestingModule = await startBackfillRunner(database, ghl);
    try {
      const outcomes = await moduleRef.get(BackfillService).run({ full: true });
      expect(outcomes.map((outcome) => [outcome.object, outcome.status])).toEqual([
        ['pipelines', 'done'],
        ['contacts', 'done'],
        ['opportunities', 'done'],
        ['appointments', 'done'],
      ]);
    } finally {
      await moduleRef.close();
    }
    await expectIdenticalToStandIn();
    expect(ghl.throttled).toBe(0);
  });

  it(
    'two backfill processes at once: each object run by one of them, same result, no 429',
    { timeout: 180_000 },
    async () => {
      const before = okRequests('/contacts/search');
      const workers = [cli(['--full']), cli(['--full'])];
      const codes = await Promise.all(workers.map((worker) => worker.exited));
      expect(codes, workers.map((worker) => worker.output()).join('\n---\n')).toEqual([0, 0]);

      await expectIdenticalToStandIn();
      expect(ghl.throttled).toBe(0);
      // Contacts were listed once in all: the second process found the object locked and skipped it,
      // or (having reached it after the first finished) ran an incremental pass over nothing new.
      const lines = workers.flatMap((worker) => worker.stdout.filter((line) => line.startsWith('contacts:')));
      expect(lines.filter((line) => line.includes(`${CONTACTS} records`))).toHaveLength(1);
      expect(okRequests('/contacts/search') - before).toBeLessThanOrEqual(CONTACT_PAGES + 1);
    },
  );

  it(
    'killed with SIGKILL halfway through contacts, then run again: resumes at its checkpoint',
    { timeout: 180_000 },
    async () => {
      const before = okRequests('/contacts/search');
      const first = cli(['--full', '--objects', 'contacts']);
      while (okRequests('/contacts/search') - before < CONTACT_PAGES / 2) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await first.stop('SIGKILL');
      const [checkpoint] = await database.query<{ cursor: { pages: number } }>(
        "SELECT cursor FROM ghl_sync.sync_cursors WHERE object = 'contacts'",
      );
      expect(checkpoint!.cursor.pages).toBeGreaterThan(0);
      expect(checkpoint!.cursor.pages).toBeLessThan(CONTACT_PAGES);

      const second = cli(['--full']);
      expect(await second.exited, second.output()).toBe(0);
      expect(second.stdout.find((line) => line.startsWith('contacts:'))).toContain('resumed from a checkpoint');
      await expectIdenticalToStandIn();
      // Fetched again: at most the page being written when it died and the one prefetched.
      expect(okRequests('/contacts/search') - before).toBeLessThanOrEqual(CONTACT_PAGES + 2);
      expect(ghl.throttled).toBe(0);
    },
  );
});
