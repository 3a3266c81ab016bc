import type { TestingModule } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppointmentsBackfill } from '../../src/backfill/appointments-backfill.js';
import { mapGhlAppointment } from '../../src/bookings/booking.mapper.js';
import { BookingsService } from '../../src/bookings/bookings.service.js';
import { CheckpointedListing } from '../../src/backfill/checkpointed-listing.js';
import { startBackfillRunner } from '../support/backfill-runner.js';
import { GhlApiStandIn, type StandInAppointment } from '../support/ghl-api-stand-in.js';
import { ghlId } from '../support/ghl-stand-in.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface BookingRow {
  ghl_appointment_id: string;
  calendar_id: string | null;
  status: string;
  status_raw: string | null;
  title: string | null;
  starts_at: Date;
  ends_at: Date | null;
  ghl_contact_id: string | null;
  contact_ghl_id: string | null;
  deleted_at: Date | null;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const STATUS_OF: Record<string, string> = {
  confirmed: 'CONFIRMED',
  cancelled: 'CANCELED',
  showed: 'COMPLETED',
  noshow: 'NO_SHOW',
};

describe('appointments backfill from the GHL REST API', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  let moduleRef: TestingModule;
  let runner: AppointmentsBackfill;
  // The default range (a year back, a year ahead) in 30-day windows, for each of two calendars.
  let windows: number;
  const run = () => moduleRef.get(CheckpointedListing).run(runner, { full: true });

  const rows = () =>
    database.query<BookingRow>(
      `SELECT b.ghl_appointment_id, b.calendar_id, b.status, b.status_raw, b.title, b.starts_at, b.ends_at,
              b.ghl_contact_id, c.ghl_contact_id AS contact_ghl_id, b.deleted_at
       FROM bookings b LEFT JOIN contacts c ON c.id = b.contact_id
       WHERE b.ghl_location_id = $1 ORDER BY b.ghl_appointment_id`,
      [ghl.locationId],
    );
  const deletedIds = async () =>
    (await rows())
      .filter((row) => row.deleted_at !== null)
      .map((row) => row.ghl_appointment_id)
      .sort();
  const okRequests = (path: string) =>
    ghl.requests.filter((request) => request.path === path && request.status === 200).length;
  const okEventRequests = () => okRequests('/calendars/events');
  const bookingEvents = async (type: string) =>
    database.query<{ ghl_appointment_id: string; deleted: boolean | null }>(
      `SELECT payload->>'ghlAppointmentId' AS ghl_appointment_id, (payload->>'deleted')::boolean AS deleted
       FROM ghl_sync.domain_events WHERE aggregate_type = 'booking' AND type = $1 ORDER BY 1`,
      [type],
    );
  const checkpoint = async () =>
    (
      await database.query<{
        cursor: { pages: number; records: number; position: { calendarIndex: number } } | null;
        last_error: string | null;
        last_completed_at: Date | null;
      }>("SELECT cursor, last_error, last_completed_at FROM ghl_sync.sync_cursors WHERE object = 'appointments'")
    )[0]!;

  beforeAll(async () => {
    database = await createTestDatabase('backfill_appointments');
    ghl = await GhlApiStandIn.start();
    ghl.calendars.push({ id: ghlId(), name: 'Coaching sessions' }, { id: ghlId(), name: 'Assessments' });
    const contacts = ghl.seedContacts(40);
    // 300 hourly appointments around now (alternating calendars), well inside the covered range.
    const seeded = ghl.seedAppointments(300, contacts, Math.floor((Date.now() - 5 * DAY_MS) / HOUR_MS) * HOUR_MS);
    const statuses = ['confirmed', 'confirmed', 'cancelled', 'showed', 'confirmed', 'noshow'];
    seeded.forEach((appointment, index) => (appointment.appointmentStatus = statuses[index % statuses.length]!));
    moduleRef = await startBackfillRunner(database, ghl);
    runner = moduleRef.get(AppointmentsBackfill);
    windows = Math.ceil((runner.pastMs + runner.futureMs) / runner.windowMs);
  });

  afterAll(async () => {
    await moduleRef.close();
    await ghl.stop();
    await database.drop();
  });

  it('copies every appointment of every calendar, one request per calendar and window, within the rate limit', async () => {
    expect(windows).toBe(25);
    const result = await run();
    expect(result).toEqual({
      object: 'appointments',
      pages: 2 * windows,
      records: 300,
      tombstoned: 0,
      resumed: false,
      full: true,
    });

    const expected = [...ghl.appointments.values()].sort((a, b) => a.id.localeCompare(b.id));
    expect(await rows()).toEqual(
      expected.map((appointment) => ({
        ghl_appointment_id: appointment.id,
        calendar_id: appointment.calendarId,
        status: STATUS_OF[appointment.appointmentStatus],
        status_raw: appointment.appointmentStatus,
        title: appointment.title,
        starts_at: new Date(appointment.startTime),
        ends_at: new Date(appointment.endTime),
        ghl_contact_id: appointment.contactId,
        contact_ghl_id: appointment.contactId,
        deleted_at: null,
      })),
    );
    expect(new Set(expected.map((appointment) => appointment.calendarId)).size).toBe(2);
    expect(okRequests('/calendars/')).toBe(1);
    expect(okEventRequests()).toBe(2 * windows);
    expect(ghl.throttled).toBe(0);
    expect(await bookingEvents('booking_scheduled')).toHaveLength(300);
    expect(await bookingEvents('booking_canceled')).toHaveLength(50);
    const done = await checkpoint();
    expect(done.cursor).toBeNull();
    expect(done.last_completed_at).toBeInstanceOf(Date);
  });

  // The governor keeps to GHL's 100 requests per 10 s: fewer windows keep the runs below short.
  describe('over a narrower range (30 days back and ahead, in 7-day windows)', () => {
    beforeAll(() => {
      runner.pastMs = 30 * DAY_MS;
      runner.futureMs = 30 * DAY_MS;
      runner.windowMs = 7 * DAY_MS;
      windows = Math.ceil((runner.pastMs + runner.futureMs) / runner.windowMs);
      expect(windows).toBe(9);
    });

    it('resumes a failed run at its checkpoint: only the remaining windows are fetched, nothing is re-applied', async () => {
      const eventsBefore = await database.query('SELECT id FROM ghl_sync.domain_events');
      const calendarsBefore = okRequests('/calendars/');
      const before = okEventRequests();
      // The calendars and five windows answer, the sixth fails.
      ghl.injectFailures(...Array.from({ length: 6 }, () => ({ delayMs: 0 })), { status: 502 });
      await expect(run()).rejects.toThrow();
      const failed = await checkpoint();
      expect(failed.cursor).toMatchObject({ pages: 5, position: { calendarIndex: 0 } });
      expect(failed.last_error).toContain('Injected failure');
      expect(okEventRequests() - before).toBe(5);

      const afterFailure = okEventRequests();
      const resumed = await run();
      expect(resumed).toMatchObject({ pages: 2 * windows, records: 300, tombstoned: 0, resumed: true });
      expect(okEventRequests() - afterFailure).toBe(2 * windows - 5);
      expect(okRequests('/calendars/') - calendarsBefore).toBe(1);
      // Last write wins: the unchanged appointments caused no new domain event.
      expect(await database.query('SELECT id FROM ghl_sync.domain_events')).toHaveLength(eventsBefore.length);
      expect(ghl.throttled).toBe(0);
    });

    it('tombstones appointments gone from GHL only after a complete listing, and never outside its range', async () => {
      // Bookings webhooks stored 40 days away, outside the range listed (and gone from GHL).
      const bookings = moduleRef.get(BookingsService);
      const outside = [-40, 40].map((days) => ({
        id: ghlId(),
        startTime: new Date(Date.now() + days * DAY_MS).toISOString(),
        dateUpdated: new Date(Date.now() - DAY_MS).toISOString(),
      }));
      for (const appointment of outside) {
        await bookings.applyGhlAppointment(
          mapGhlAppointment({
            locationId: ghl.locationId,
            appointment: { ...appointment, appointmentStatus: 'booked' },
          }),
          'upsert',
          'test:webhook',
        );
      }
      const confirmed = () =>
        [...ghl.appointments.values()].filter((appointment) => appointment.appointmentStatus === 'confirmed');
      const remove = (appointments: StandInAppointment[]) => {
        for (const appointment of appointments) ghl.appointments.delete(appointment.id);
        return appointments.map((appointment) => appointment.id);
      };

      const removed = remove(confirmed().slice(0, 5));
      expect((await run()).tombstoned).toBe(5);
      expect(await deletedIds()).toEqual([...removed].sort());
      expect((await bookingEvents('booking_canceled')).filter((event) => event.deleted)).toEqual(
        [...removed].sort().map((id) => ({ ghl_appointment_id: id, deleted: true })),
      );

      const alsoRemoved = remove(confirmed().slice(0, 3));
      ghl.injectFailures(...Array.from({ length: 12 }, () => ({ delayMs: 0 })), { status: 502 });
      await expect(run()).rejects.toThrow();
      expect(await deletedIds()).toEqual([...removed].sort());

      const resumed = await run();
      expect(resumed).toMatchObject({ resumed: true, tombstoned: 3, records: 300 - 8 });
      expect(await deletedIds()).toEqual([...removed, ...alsoRemoved].sort());
      const stored = new Map((await rows()).map((row) => [row.ghl_appointment_id, row]));
      for (const appointment of outside) expect(stored.get(appointment.id)).toMatchObject({ deleted_at: null });
      expect(ghl.throttled).toBe(0);
    });
  });
});
