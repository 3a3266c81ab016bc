import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { mapGhlAppointment, type GhlAppointmentChange } from '../bookings/booking.mapper.js';
import { BookingsService } from '../bookings/bookings.service.js';
import type { GhlAppointmentWebhookDto } from '../bookings/dto/appointment-webhook.dto.js';
import { AppConfig } from '../config/app-config.js';
import { Prisma } from '../generated/prisma/client.js';
import { GhlClient } from '../ghl/ghl-client.js';
import { BackfillSeenRepository } from './backfill-seen.repository.js';
import { type ListingCheckpoint, type ListingPage, type ListingSource, writeEach } from './checkpointed-listing.js';

const DAY_MS = 86_400_000;
/** A run lists appointments starting from this long before it started… */
export const APPOINTMENTS_PAST_MS = 365 * DAY_MS;
/** …to this long after. Bookings outside the range are neither listed nor reconciled. */
export const APPOINTMENTS_FUTURE_MS = 365 * DAY_MS;
/** One request per calendar and window: GHL documents no paging for events, so windows stay small. */
export const APPOINTMENTS_WINDOW_MS = 30 * DAY_MS;

/** An event of `GET /calendars/events` (the SDK's `CalendarEventDTO`). */
export type GhlCalendarEvent = NonNullable<Awaited<ReturnType<GhlClient['getCalendarEvents']>>['events']>[number];

/** Where a run is (saved in the checkpoint), epoch milliseconds throughout. */
type AppointmentsPosition = {
  /** The location's calendars, read once on the run's first page. */
  readonly calendarIds: string[];
  /** The calendar and the window start of the page this position starts. */
  readonly calendarIndex: number;
  readonly windowStart: number;
  /** The run's range [from, to) and window size, fixed at its start so a resumed run covers the same. */
  readonly from: number;
  readonly to: number;
  readonly windowMs: number;
};

/**
 * Appointments from GHL's calendar events (`GET /calendars/` once, then `GET /calendars/events`
 * per calendar in windows of `windowMs`; a page is one calendar's window), from `pastMs` before
 * the run to `futureMs` after it, written through the webhooks' mapper and last-write-wins
 * service. Events carry no update-time filter, so an incremental run lists the same range as a
 * full one; last-write-wins on `dateUpdated` skips the unchanged appointments. A full run then
 * tombstones the location's live bookings starting inside its range that GHL no longer listed.
 */
@Injectable()
export class AppointmentsBackfill implements ListingSource<GhlCalendarEvent> {
  readonly object = 'appointments';
  private readonly locationId: string;
  pastMs = APPOINTMENTS_PAST_MS;
  futureMs = APPOINTMENTS_FUTURE_MS;
  windowMs = APPOINTMENTS_WINDOW_MS;

  constructor(
    config: AppConfig,
    private readonly ghl: GhlClient,
    private readonly bookings: BookingsService,
    private readonly seen: BackfillSeenRepository,
  ) {
    this.locationId = config.ghl.locationId!;
  }

  async fetchPage(checkpoint: ListingCheckpoint): Promise<ListingPage<GhlCalendarEvent>> {
    const position = (checkpoint.position as AppointmentsPosition | null) ?? (await this.firstPosition());
    const calendarId = position.calendarIds[position.calendarIndex];
    if (calendarId === undefined) return { items: [], next: null };
    const windowEnd = Math.min(position.windowStart + position.windowMs, position.to);
    const { events = [] } = await this.ghl.getCalendarEvents(
      calendarId,
      new Date(position.windowStart),
      new Date(windowEnd),
    );
    return { items: events, next: nextPosition(position, windowEnd) };
  }

  async applyPage(events: readonly GhlCalendarEvent[]): Promise<void> {
    const correlationId = `backfill:appointments:${randomUUID()}`;
    await writeEach(events, (event) =>
      this.bookings.applyGhlAppointment(
        mapGhlAppointment(appointmentPayloadOf(event, this.locationId)),
        'upsert',
        correlationId,
      ),
    );
  }

  ghlIdOf(event: GhlCalendarEvent): string {
    return String(event.id);
  }

  /**
   * Within the range the run listed: its checkpoint's, fixed on its first page; a run whose only
   * page found no calendars saved no position, and its range is the one its start implies.
   */
  async reconcile(listingStartedAt: Date, last: ListingCheckpoint): Promise<number> {
    const { from, to } = (last.position as AppointmentsPosition | null) ?? this.rangeFrom(listingStartedAt.getTime());
    const missing = await this.seen.missingFromListing(
      this.locationId,
      'appointments',
      listingStartedAt,
      Prisma.sql`r.starts_at >= ${new Date(from)} AND r.starts_at < ${new Date(to)}`,
    );
    const correlationId = `backfill:appointments:${randomUUID()}`;
    await writeEach(missing, (ghlAppointmentId) =>
      this.bookings.applyGhlAppointment(
        vanished(ghlAppointmentId, this.locationId, listingStartedAt),
        'delete',
        correlationId,
      ),
    );
    return missing.length;
  }

  /** The first page's position: the calendars as GHL lists them now, and the range from now. */
  private async firstPosition(): Promise<AppointmentsPosition> {
    const { calendars = [] } = await this.ghl.getCalendars();
    const range = this.rangeFrom(Date.now());
    return {
      calendarIds: calendars.map((calendar) => calendar.id),
      calendarIndex: 0,
      windowStart: range.from,
      ...range,
      windowMs: this.windowMs,
    };
  }

  private rangeFrom(now: number): { from: number; to: number } {
    return { from: now - this.pastMs, to: now + this.futureMs };
  }
}

/** The next window of the calendar, else the next calendar's first; null after the last. */
function nextPosition(position: AppointmentsPosition, windowEnd: number): AppointmentsPosition | null {
  if (windowEnd < position.to) return { ...position, windowStart: windowEnd };
  if (position.calendarIndex + 1 < position.calendarIds.length) {
    return { ...position, calendarIndex: position.calendarIndex + 1, windowStart: position.from };
  }
  return null;
}

/**
 * A listed event in the shape of the appointment webhooks' payload, so both take the same mapper.
 * Where a webhook falls back to its delivery time for the version, a listed event without
 * `dateUpdated` falls back to its creation time.
 */
export function appointmentPayloadOf(event: GhlCalendarEvent, locationId: string): GhlAppointmentWebhookDto {
  return {
    locationId,
    appointment: {
      id: event.id,
      calendarId: event.calendarId,
      contactId: event.contactId,
      title: event.title,
      appointmentStatus: event.appointmentStatus,
      assignedUserId: event.assignedUserId,
      groupId: event.groupId,
      users: event.users,
      startTime: isoTime(event.startTime) ?? '',
      endTime: isoTime(event.endTime),
      dateUpdated: isoTime(event.dateUpdated),
    },
    timestamp: isoTime(event.dateAdded),
  };
}

/** GHL's times are ISO strings; epoch milliseconds are taken too. */
function isoTime(value: unknown): string | undefined {
  if (typeof value === 'number') return new Date(value).toISOString();
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A booking GHL no longer lists, as a delete: the tombstone keeps the stored booking's own fields
 * and takes only the id and the time from this.
 */
function vanished(ghlAppointmentId: string, ghlLocationId: string, at: Date): GhlAppointmentChange {
  return {
    ghlAppointmentId,
    ghlLocationId,
    ghlContactId: undefined,
    calendarId: null,
    title: null,
    status: 'CANCELED',
    statusRaw: null,
    startsAt: at,
    endsAt: null,
    meta: {},
    upstreamUpdatedAt: at,
  };
}
