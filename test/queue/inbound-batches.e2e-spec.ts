import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failContactWrites, installContactFailures } from '../support/failure-injection.js';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { processedInboxRow, type InboxRow } from '../support/inbox.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const at = (second: number) => new Date(Date.UTC(2026, 11, 1, 9, 0, second)).toISOString();

/**
 * A worker fetches up to 16 inbox jobs at once; the contact events among them are applied in one
 * transaction (ADR 0016). The deliveries are accepted by an api instance while no worker runs, so
 * the worker started afterwards finds them queued and fetches them in full batches.
 */
describe('inbox events applied in batches', () => {
  const ghl = new GhlStandIn();
  let database: TestDatabase;
  let api: TestApp;
  const started: TestApp[] = [];

  /** Delivers each event, tagged with its own correlation id, to the api instance. */
  const deliverAll = async (events: Record<string, unknown>[]) => {
    for (const [index, event] of events.entries()) {
      const response = await ghl.deliver(api.url, event, {
        headers: { 'x-correlation-id': correlationOf(event, index) },
      });
      expect(response.status).toBe(200);
    }
  };
  const correlationOf = (event: Record<string, unknown>, index: number) =>
    `batch-${index}-${event.webhookId as string}`;
  const rowOf = (event: Record<string, unknown>) =>
    processedInboxRow(database, { idempotencyKey: `webhook:${event.webhookId as string}` });
  // nestjs-pino keeps one root logger per process, made by the first app: every app's lines reach it.
  const logLines = () => api.logs.lines;
  const startWorker = async () => {
    const worker = await startTestApp(database.url, { ...ghl.env(), SERVICE_ROLE: 'worker', SYNC_RETRY_DELAYS: '1,1' });
    started.push(worker);
    return worker;
  };

  beforeAll(async () => {
    database = await createTestDatabase('inbound_batches');
    api = await startTestApp(database.url, { ...ghl.env(), SERVICE_ROLE: 'api' });
    await installContactFailures(database);
  });

  afterAll(async () => {
    await Promise.all([api, ...started].map((app) => app?.close()));
    await database?.drop();
  });

  it('applies a fetch of contact events together, ending where one by one would, and leaves other types to run alone', async () => {
    const create = (second: number, overrides: Record<string, unknown> = {}) =>
      ghl.contactEvent('ContactCreate', { dateUpdated: at(second), ...overrides });
    const [a, b, c] = [create(0), create(0), create(0)];
    const newer = ghl.contactEvent('ContactUpdate', {
      id: a.id,
      email: a.email,
      firstName: 'Newer',
      dateUpdated: at(10),
    });
    const older = ghl.contactEvent('ContactUpdate', {
      id: a.id,
      email: a.email,
      firstName: 'Older',
      dateUpdated: at(5),
    });
    const tagged = ghl.contactEvent('ContactTagUpdate', {
      id: b.id,
      email: b.email,
      tags: ['VIP'],
      dateUpdated: at(10),
    });
    const deleted = ghl.contactEvent('ContactDelete', { id: c.id, dateUpdated: at(10) });
    const afterDelete = ghl.contactEvent('ContactUpdate', { id: c.id, email: c.email, dateUpdated: at(20) });
    const unknownDeleted = ghl.contactEvent('ContactDelete', { dateUpdated: at(10) });
    const booking = ghl.appointmentEvent('AppointmentCreate', { contactId: a.id });
    const more = Array.from({ length: 10 }, () => create(0));
    const events = [a, b, c, newer, older, tagged, deleted, afterDelete, unknownDeleted, booking, ...more];
    await deliverAll(events);

    const worker = await startWorker();
    const rows = new Map<Record<string, unknown>, InboxRow>();
    for (const event of events) rows.set(event, await rowOf(event));

    // The worker's 4 fetch loops may split one contact's events between batches applied at once, so
    // which of them is STALE depends on the split; the final state does not (last write wins).
    const outcomeOf = (event: Record<string, unknown>) => rows.get(event)!.outcome;
    for (const event of events) expect(['APPLIED', 'STALE']).toContain(outcomeOf(event));
    expect([booking, ...more].map(outcomeOf)).toEqual([booking, ...more].map(() => 'APPLIED'));
    expect(events.map((event) => rows.get(event)!.attempts)).toEqual(events.map(() => 1));
    // now() is the transaction's start: events applied together share their processed_at; one by one
    // they would have 19 different ones.
    const contactEvents = events.filter((event) => event !== booking);
    const batches = new Set(contactEvents.map((event) => rows.get(event)!.processed_at!.getTime()));
    expect(batches.size).toBeLessThanOrEqual(5);

    const contacts = await database.query<{
      ghl_contact_id: string;
      first_name: string;
      deleted: boolean;
      tags: string[];
    }>(
      `SELECT c.ghl_contact_id, c.first_name, c.deleted_at IS NOT NULL AS deleted,
              array_remove(array_agg(t.tag ORDER BY t.tag), NULL) AS tags
       FROM contacts c LEFT JOIN contact_tags t ON t.contact_id = c.id
       WHERE c.ghl_contact_id = ANY($1) GROUP BY c.id`,
      [[a.id, b.id, c.id, unknownDeleted.id]],
    );
    const byId = new Map(contacts.map((row) => [row.ghl_contact_id, row]));
    expect(byId.get(a.id as string)).toMatchObject({
      first_name: 'Newer',
      deleted: false,
      tags: ['boot camp', 'lead'],
    });
    expect(byId.get(b.id as string)).toMatchObject({ deleted: false, tags: ['vip'] });
    expect(byId.get(c.id as string)).toMatchObject({ deleted: true });
    expect(byId.get(unknownDeleted.id as string)).toMatchObject({ deleted: true, tags: [] });
    expect(await database.query('SELECT contact_id FROM bookings')).toHaveLength(1);

    // Each event's line carries its own delivery's correlation id and job, as if it had run alone.
    for (const [index, event] of events.entries()) {
      expect(logLines().filter((line) => line.correlation_id === correlationOf(event, index))).toContainEqual(
        expect.objectContaining({
          msg: 'inbound event processed',
          eventId: rows.get(event)!.id,
          job_id: expect.any(String) as string,
        }),
      );
    }
    await worker.close();
  });

  it('an event that keeps failing fails its batch, then alone: the others are applied once, it alone is retried', async () => {
    const events = Array.from({ length: 8 }, () => ghl.contactEvent('ContactCreate'));
    const failing = events[3]!;
    await failContactWrites(database, failing.id as string, 2);
    await deliverAll(events);

    await startWorker();
    const others = events.filter((event) => event !== failing);
    for (const event of others) expect(await rowOf(event)).toMatchObject({ outcome: 'APPLIED', attempts: 1 });
    expect(await rowOf(failing)).toMatchObject({ outcome: 'APPLIED', attempts: 2 });

    const lines = logLines();
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'the batch failed as a whole; running its jobs one by one',
        reason: expect.stringContaining('injected failure') as string,
      }),
    );
    const retried = lines.filter((line) => line.msg === 'sync attempt failed; retry scheduled');
    expect(retried.map((line) => line.correlation_id)).toEqual([correlationOf(failing, 3)]);
    expect(await database.query('SELECT id FROM ghl_sync.sync_dead_letters')).toEqual([]);
    const rows = await database.query('SELECT id FROM contacts WHERE ghl_contact_id = ANY($1)', [
      events.map((event) => event.id),
    ]);
    expect(rows).toHaveLength(events.length);
  });
});
