import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadPrismaService } from '../../src/database/read-prisma.service.js';
import { ghlId, GhlStandIn } from '../support/ghl-stand-in.js';
import { processedInboxRow, syncDelivery } from '../support/inbox.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Another TrainU service, subscribed to the booking events through pg-boss. */
const SUBSCRIBER_QUEUE = 'test.coach-notifications';

interface BookingView {
  id: string;
  ghlAppointmentId: string;
  status: string;
  startsAt: string;
  endsAt: string | null;
  title: string | null;
  ghlUpdatedAt: string | null;
  deletedAt: string | null;
  contact: { id: string; ghlContactId: string; email: string | null } | null;
}

const BOOKING_FIELDS =
  'id ghlAppointmentId status startsAt endsAt title ghlUpdatedAt deletedAt contact { id ghlContactId email }';
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe('bookings: GHL appointment webhooks into bookings and booking events', () => {
  const ghl = new GhlStandIn();
  let database: TestDatabase;
  let service: TestApp;
  let subscriber: PgBoss;

  /** Delivers over HTTP and waits for the worker; the inbox outcome. */
  const sync = (event: Record<string, unknown>) => syncDelivery(ghl, service.url, database, event);

  async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const body = (await (await service.graphql(query, { variables })).json()) as { data: T; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  async function booking(ghlAppointmentId: string, includeDeleted = false): Promise<BookingView | undefined> {
    const data = await graphql<{ bookings: { edges: { node: BookingView }[] } }>(
      `query($f: BookingFilter) { bookings(first: 200, filter: $f) { edges { node { ${BOOKING_FIELDS} } } } }`,
      { f: { includeDeleted } },
    );
    return data.bookings.edges.map((edge) => edge.node).find((node) => node.ghlAppointmentId === ghlAppointmentId);
  }

  const domainEvents = (ghlAppointmentId: string) =>
    database.query<{
      type: string;
      payload: Record<string, unknown>;
      published_at: Date | null;
      correlation_id: string;
    }>("SELECT * FROM ghl_sync.domain_events WHERE payload->>'ghlAppointmentId' = $1 ORDER BY occurred_at, type", [
      ghlAppointmentId,
    ]);
  const delivered = async (ghlAppointmentId: string) =>
    (
      await database.query<{ data: { type: string; eventId: string } }>(
        "SELECT data FROM pgboss.job WHERE name = $1 AND data->>'ghlAppointmentId' = $2 ORDER BY created_on",
        [SUBSCRIBER_QUEUE, ghlAppointmentId],
      )
    ).map((row) => row.data.type);

  beforeAll(async () => {
    database = await createTestDatabase('bookings');
    service = await startTestApp(database.url, ghl.env());
    subscriber = new PgBoss({ connectionString: database.url, schema: 'pgboss', supervise: false, schedule: false });
    await subscriber.start();
    await subscriber.createQueue(SUBSCRIBER_QUEUE);
    for (const event of ['booking_scheduled', 'booking_rescheduled', 'booking_canceled']) {
      await subscriber.subscribe(event, SUBSCRIBER_QUEUE);
    }
  });

  afterAll(async () => {
    await subscriber.stop({ graceful: false });
    await service.close();
    await database.drop();
  });

  it('AppointmentCreate for an unknown contact: one booking, one placeholder contact the ContactCreate then fills', async () => {
    const contactId = ghlId();
    const create = ghl.appointmentEvent('AppointmentCreate', {
      contactId,
      startTime: '2026-12-07T16:00:00+05:30',
      endTime: '2026-12-07T16:45:00+05:30',
    });
    const appointmentId = (create.appointment as { id: string }).id;
    expect(await sync(create)).toBe('APPLIED');

    const stored = await booking(appointmentId);
    expect(stored).toMatchObject({
      status: 'CONFIRMED',
      startsAt: '2026-12-07T10:30:00.000Z',
      endsAt: '2026-12-07T11:15:00.000Z',
      title: 'Intro session',
      contact: { ghlContactId: contactId, email: null },
    });
    const placeholders = await database.query<{ id: string; email: string | null }>(
      'SELECT id, email FROM contacts WHERE ghl_contact_id = $1',
      [contactId],
    );
    expect(placeholders).toHaveLength(1);

    await sync(ghl.contactEvent('ContactCreate', { id: contactId, email: 'Maya@Example.com' }));
    const filled = await database.query<{ id: string; email: string }>(
      'SELECT id, email FROM contacts WHERE ghl_contact_id = $1',
      [contactId],
    );
    expect(filled).toEqual([{ id: placeholders[0]!.id, email: 'maya@example.com' }]);
    expect((await booking(appointmentId))!.contact).toMatchObject({
      id: placeholders[0]!.id,
      email: 'maya@example.com',
    });

    const [scheduled] = await domainEvents(appointmentId);
    expect(scheduled).toMatchObject({ type: 'booking_scheduled', correlation_id: expect.any(String) as string });
    expect(scheduled!.published_at).toBeInstanceOf(Date);
    expect(scheduled!.payload).toEqual({
      bookingId: stored!.id,
      ghlAppointmentId: appointmentId,
      contactId: placeholders[0]!.id,
      calendarId: 'BqTwX8QFwXzpegMve9EQ',
      status: 'CONFIRMED',
      startsAt: '2026-12-07T10:30:00.000Z',
      endsAt: '2026-12-07T11:15:00.000Z',
    });
  });

  it('records and publishes booking_scheduled exactly once when the create comes 5 times', async () => {
    const create = ghl.appointmentEvent('AppointmentCreate');
    const appointmentId = (create.appointment as { id: string }).id;
    // The same delivery twice, and three redeliveries with their own webhookId (the same appointment version).
    const deliveries = [create, create, ...[1, 2, 3].map(() => ({ ...create, webhookId: ghlId() }))];
    await Promise.all(deliveries.map((delivery) => ghl.deliver(service.url, delivery)));
    const outcomes = await Promise.all(
      [...new Set(deliveries.map((delivery) => delivery.webhookId as string))].map(
        async (webhookId) => (await processedInboxRow(database, { idempotencyKey: `webhook:${webhookId}` })).outcome,
      ),
    );
    expect(outcomes.sort()).toEqual(['APPLIED', 'STALE', 'STALE', 'STALE']);
    expect(await database.query('SELECT id FROM bookings WHERE ghl_appointment_id = $1', [appointmentId])).toHaveLength(
      1,
    );
    expect((await domainEvents(appointmentId)).map((event) => event.type)).toEqual(['booking_scheduled']);
    expect(await delivered(appointmentId)).toEqual(['booking_scheduled']);
  });

  it.each([
    ['new', 'SCHEDULED'],
    ['booked', 'SCHEDULED'],
    ['confirmed', 'CONFIRMED'],
    ['showed', 'COMPLETED'],
    ['noshow', 'NO_SHOW'],
    ['cancelled', 'CANCELED'],
    ['invalid', 'CANCELED'],
    ['pending_approval', 'SCHEDULED'],
  ])('maps appointmentStatus %s to %s and keeps the raw value', async (raw, status) => {
    const create = ghl.appointmentEvent('AppointmentCreate', { appointmentStatus: raw });
    const appointmentId = (create.appointment as { id: string }).id;
    await sync(create);
    expect((await booking(appointmentId))!.status).toBe(status);
    const [row] = await database.query<{ status_raw: string }>(
      'SELECT status_raw FROM bookings WHERE ghl_appointment_id = $1',
      [appointmentId],
    );
    expect(row!.status_raw).toBe(raw);
  });

  it('last write wins on dateUpdated: a newer update, then an older one, leaves the newer values', async () => {
    const create = ghl.appointmentEvent('AppointmentCreate', { dateUpdated: minutesAgo(30) });
    const id = (create.appointment as { id: string }).id;
    await sync(create);
    const newer = ghl.appointmentEvent('AppointmentUpdate', {
      ...(create.appointment as object),
      title: 'Newer',
      dateUpdated: minutesAgo(10),
    });
    const older = ghl.appointmentEvent('AppointmentUpdate', {
      ...(create.appointment as object),
      title: 'Older',
      dateUpdated: minutesAgo(20),
    });
    expect(await sync(newer)).toBe('APPLIED');
    expect(await sync(older)).toBe('STALE');
    expect(await booking(id)).toMatchObject({
      title: 'Newer',
      ghlUpdatedAt: (newer.appointment as { dateUpdated: string }).dateUpdated,
    });
  });

  it('an update GHL labels AppointmentCreate (as its docs show) still applies when newer', async () => {
    const create = ghl.appointmentEvent('AppointmentCreate', { dateUpdated: minutesAgo(30) });
    const id = (create.appointment as { id: string }).id;
    await sync(create);
    const mislabeled = ghl.appointmentEvent('AppointmentCreate', {
      ...(create.appointment as object),
      title: 'Moved room',
      dateUpdated: minutesAgo(5),
    });
    expect(await sync(mislabeled)).toBe('APPLIED');
    expect((await booking(id))!.title).toBe('Moved room');
    expect((await domainEvents(id)).map((event) => event.type)).toEqual(['booking_scheduled']);
  });

  it('publishes booking_rescheduled when the start moves and booking_canceled when it is cancelled', async () => {
    const create = ghl.appointmentEvent('AppointmentCreate', {
      startTime: '2026-12-10T09:00:00Z',
      dateUpdated: minutesAgo(30),
    });
    const id = (create.appointment as { id: string }).id;
    await sync(create);
    await sync(
      ghl.appointmentEvent('AppointmentUpdate', {
        ...(create.appointment as object),
        startTime: '2026-12-11T09:00:00Z',
        dateUpdated: minutesAgo(20),
      }),
    );
    await sync(
      ghl.appointmentEvent('AppointmentUpdate', {
        ...(create.appointment as object),
        startTime: '2026-12-11T09:00:00Z',
        appointmentStatus: 'cancelled',
        dateUpdated: minutesAgo(10),
      }),
    );

    const events = await domainEvents(id);
    expect(events.map((event) => event.type)).toEqual(['booking_scheduled', 'booking_rescheduled', 'booking_canceled']);
    expect(events[1]!.payload).toMatchObject({
      startsAt: '2026-12-11T09:00:00.000Z',
      previousStartsAt: '2026-12-10T09:00:00.000Z',
    });
    expect(events[2]!.payload).toMatchObject({ status: 'CANCELED', deleted: false });
    expect(await delivered(id)).toEqual(['booking_scheduled', 'booking_rescheduled', 'booking_canceled']);
  });

  it('AppointmentDelete tombstones the booking: hidden unless includeDeleted, and a late update does not undo it', async () => {
    const create = ghl.appointmentEvent('AppointmentCreate', { dateUpdated: minutesAgo(30) });
    const id = (create.appointment as { id: string }).id;
    await sync(create);
    const deletion = ghl.appointmentEvent('AppointmentDelete', {
      ...(create.appointment as object),
      dateUpdated: minutesAgo(20),
    });
    expect(await sync(deletion)).toBe('APPLIED');
    expect(await booking(id)).toBeUndefined();
    expect((await booking(id, true))!.deletedAt).toBe((deletion.appointment as { dateUpdated: string }).dateUpdated);

    const late = ghl.appointmentEvent('AppointmentUpdate', {
      ...(create.appointment as object),
      title: 'Revived?',
      dateUpdated: minutesAgo(5),
    });
    expect(await sync(late)).toBe('STALE');
    expect(await booking(id, true)).toMatchObject({ title: 'Intro session', deletedAt: expect.any(String) as string });
    expect((await domainEvents(id)).map((event) => event.type)).toEqual(['booking_scheduled', 'booking_canceled']);
  });

  it('a delete that overtakes its create leaves a tombstone; the create then changes nothing', async () => {
    const appointment = { id: ghlId(), dateUpdated: minutesAgo(10) };
    expect(await sync(ghl.appointmentEvent('AppointmentDelete', appointment))).toBe('APPLIED');
    expect(await sync(ghl.appointmentEvent('AppointmentCreate', { ...appointment, dateUpdated: minutesAgo(20) }))).toBe(
      'STALE',
    );
    expect(await booking(appointment.id)).toBeUndefined();
    expect(await domainEvents(appointment.id)).toEqual([]);
  });

  it('refuses an appointment without id or start time (400, field named) and stores nothing', async () => {
    for (const [appointment, field] of [
      [{ id: undefined }, 'appointment.id'],
      [{ startTime: 'next tuesday' }, 'appointment.startTime'],
    ] as const) {
      const event = ghl.appointmentEvent('AppointmentCreate', appointment);
      const response = await ghl.deliver(service.url, event);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'PAYLOAD_INVALID', field });
      expect(
        await database.query('SELECT id FROM ghl_sync.sync_events WHERE idempotency_key = $1', [
          `webhook:${event.webhookId as string}`,
        ]),
      ).toEqual([]);
    }
  });

  describe('bookings read API', () => {
    let contactId: string;
    const ghlContactId = ghlId();

    beforeAll(async () => {
      // 100 bookings of 10 contacts, arranged in SQL: the read side is what is measured here.
      await database.query(
        `INSERT INTO contacts (ghl_contact_id, email) SELECT $1 || '-' || n, 'reader' || n || '@example.com' FROM generate_series(1, 9) n`,
        [ghlContactId],
      );
      const [reader0] = await database.query<{ id: string }>(
        `INSERT INTO contacts (ghl_contact_id, email) VALUES ($1, 'reader0@example.com') RETURNING id`,
        [ghlContactId],
      );
      contactId = reader0!.id;
      await database.query(`
        INSERT INTO bookings (ghl_appointment_id, contact_id, ghl_contact_id, status, starts_at, created_at)
        SELECT 'bulk-' || n, c.id, c.ghl_contact_id, CASE WHEN n % 4 = 0 THEN 'CANCELED' ELSE 'CONFIRMED' END::booking_status,
               timestamp '2027-01-01' + n * interval '1 day', timestamp '2020-01-01' + n * interval '1 second'
        FROM generate_series(1, 100) n
        JOIN (SELECT id, ghl_contact_id, row_number() OVER (ORDER BY email) - 1 AS k FROM contacts WHERE email LIKE 'reader%') c ON c.k = n % 10`);
    });

    it('loads 100 bookings with their contacts in a bounded number of queries', async () => {
      const prisma = service.app.get(ReadPrismaService);
      const queriesFor = async (first: number) => {
        const before = prisma.queryCount;
        const data = await graphql<{ bookings: { edges: { node: { contact: { email: string } | null } }[] } }>(
          `
            query ($first: Int) {
              bookings(first: $first, filter: { startsAfter: "2027-01-01T00:00:00Z" }) {
                edges {
                  node {
                    id
                    contact {
                      email
                    }
                  }
                }
              }
            }
          `,
          { first },
        );
        expect(data.bookings.edges.every((edge) => edge.node.contact?.email.startsWith('reader'))).toBe(true);
        expect(data.bookings.edges).toHaveLength(first);
        return prisma.queryCount - before;
      };
      const ten = await queriesFor(10);
      const hundred = await queriesFor(100);
      expect(hundred).toBe(ten);
      expect(hundred).toBeGreaterThan(0); // counted on the read API's own client: it served them
      expect(hundred).toBeLessThanOrEqual(3);
    });

    it('filters by contact, status and start window, and lists a contact\u2019s bookings', async () => {
      const byContact = await graphql<{ bookings: { totalCount: number } }>(
        `
          query ($id: ID) {
            bookings(filter: { contactId: $id }) {
              totalCount
            }
          }
        `,
        { id: contactId },
      );
      expect(byContact.bookings.totalCount).toBe(10);
      const byGhl = await graphql<{ bookings: { totalCount: number } }>(
        `
          query ($id: String) {
            bookings(filter: { ghlContactId: $id, status: CANCELED }) {
              totalCount
            }
          }
        `,
        { id: ghlContactId },
      );
      expect(byGhl.bookings.totalCount).toBe(5);
      const window = await graphql<{ bookings: { edges: { node: { ghlAppointmentId: string } }[] } }>(`
        {
          bookings(filter: { startsAfter: "2027-01-10T00:00:00Z", startsBefore: "2027-01-13T00:00:00Z" }) {
            edges {
              node {
                ghlAppointmentId
              }
            }
          }
        }
      `);
      expect(window.bookings.edges.map((edge) => edge.node.ghlAppointmentId)).toEqual(['bulk-9', 'bulk-10', 'bulk-11']);

      const nested = await graphql<{ contact: { bookings: { ghlAppointmentId: string }[] } }>(
        `
          query ($id: ID) {
            contact(id: $id) {
              bookings {
                ghlAppointmentId
              }
            }
          }
        `,
        { id: contactId },
      );
      expect(nested.contact.bookings.map((item) => item.ghlAppointmentId)).toEqual(
        [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((n) => `bulk-${n}`),
      );
    });
  });
});
