import { Injectable, Logger } from '@nestjs/common';
import { ContactsService } from '../contacts/contacts.service.js';
import { lockKeys } from '../database/advisory-locks.js';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import type { DomainEventInput, DomainEventType } from '../domain-events/domain-event.js';
import { DomainEventsService } from '../domain-events/domain-events.service.js';
import type { HandlerOutcome } from '../inbox/inbound-event.js';
import type { GhlAppointmentChange } from './booking.mapper.js';
import { BookingsRepository, type BookingRow, type BookingWrite } from './bookings.repository.js';

export type AppointmentChangeKind = 'upsert' | 'delete';

/**
 * Applies GHL appointments to bookings. Last write wins on `appointment.dateUpdated`; an existing
 * booking makes a repeated create a no-op; a delete is a tombstone nothing undoes. Each change and
 * the domain events it causes commit together.
 */
@Injectable()
export class BookingsService {
  private readonly logger = new Logger(BookingsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly bookings: BookingsRepository,
    private readonly contacts: ContactsService,
    private readonly domainEvents: DomainEventsService,
  ) {}

  async applyGhlAppointment(
    change: GhlAppointmentChange,
    kind: AppointmentChangeKind,
    correlationId: string,
  ): Promise<HandlerOutcome> {
    return this.prisma.$transaction(async (transaction) => {
      await lockKeys(transaction, [`booking:${change.ghlAppointmentId}`]);
      const existing = await this.bookings.findByGhlId(change.ghlAppointmentId, transaction);
      if (existing?.deletedAt) return this.stale(change, 'booking was deleted in GHL');
      if (kind === 'delete') return this.tombstone(existing, change, correlationId, transaction);
      // Strictly newer only: an equal time is the same version (a repeated create, for instance).
      if (existing?.ghlUpdatedAt && existing.ghlUpdatedAt >= change.upstreamUpdatedAt) {
        return this.stale(change, 'this or a newer version is already applied');
      }
      const contact = change.ghlContactId
        ? await this.contacts.findOrCreateByGhlId(change.ghlContactId, change.ghlLocationId, transaction)
        : null;
      const data = columnsOf(change, contact?.id ?? null);
      const booking = existing
        ? await this.bookings.update(existing.id, data, transaction)
        : await this.bookings.create(data, transaction);
      await this.recordEvents(existing, booking, change, correlationId, transaction);
      return 'APPLIED';
    });
  }

  private async tombstone(
    existing: BookingRow | null,
    change: GhlAppointmentChange,
    correlationId: string,
    transaction: PrismaTransaction,
  ): Promise<HandlerOutcome> {
    const deletedAt = change.upstreamUpdatedAt;
    if (!existing) {
      // A delete that overtook its create: keep the id so the create, when it comes, finds a tombstone.
      await this.bookings.create({ ...columnsOf(change, null), deletedAt }, transaction);
      return 'APPLIED';
    }
    const booking = await this.bookings.update(existing.id, { deletedAt }, transaction);
    if (existing.status !== 'CANCELED') {
      await this.record('booking_canceled', booking, change, correlationId, transaction, { deleted: true });
    }
    return 'APPLIED';
  }

  /** booking_scheduled once per booking; booking_rescheduled when the start moves; booking_canceled on the way into CANCELED. */
  private async recordEvents(
    before: BookingRow | null,
    after: BookingRow,
    change: GhlAppointmentChange,
    correlationId: string,
    transaction: PrismaTransaction,
  ): Promise<void> {
    if (!before) await this.record('booking_scheduled', after, change, correlationId, transaction);
    if (before && before.startsAt.getTime() !== after.startsAt.getTime()) {
      await this.record('booking_rescheduled', after, change, correlationId, transaction, {
        previousStartsAt: before.startsAt.toISOString(),
      });
    }
    if (after.status === 'CANCELED' && before?.status !== 'CANCELED') {
      await this.record('booking_canceled', after, change, correlationId, transaction, { deleted: false });
    }
  }

  private async record(
    type: DomainEventType,
    booking: BookingRow,
    change: GhlAppointmentChange,
    correlationId: string,
    transaction: PrismaTransaction,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const event: DomainEventInput = {
      type,
      aggregateType: 'booking',
      aggregateId: booking.id,
      // scheduled: once per booking; the others: once per upstream version that caused them.
      dedupeKey:
        type === 'booking_scheduled'
          ? `${type}:${booking.ghlAppointmentId}`
          : `${type}:${booking.ghlAppointmentId}:${change.upstreamUpdatedAt.toISOString()}`,
      payload: {
        bookingId: booking.id,
        ghlAppointmentId: booking.ghlAppointmentId,
        contactId: booking.contactId,
        calendarId: booking.calendarId,
        status: booking.status,
        startsAt: booking.startsAt.toISOString(),
        endsAt: booking.endsAt?.toISOString() ?? null,
        ...extra,
      },
      correlationId,
    };
    await this.domainEvents.record(event, transaction);
  }

  private stale(change: GhlAppointmentChange, reason: string): HandlerOutcome {
    this.logger.log(
      { ghlAppointmentId: change.ghlAppointmentId, reason },
      'appointment change is stale; nothing changed',
    );
    return 'STALE';
  }
}

function columnsOf(change: GhlAppointmentChange, contactId: string | null): BookingWrite {
  return {
    ghlAppointmentId: change.ghlAppointmentId,
    ghlLocationId: change.ghlLocationId,
    contactId,
    ghlContactId: change.ghlContactId ?? null,
    calendarId: change.calendarId,
    title: change.title,
    status: change.status,
    statusRaw: change.statusRaw,
    startsAt: change.startsAt,
    endsAt: change.endsAt,
    meta: change.meta,
    ghlUpdatedAt: change.upstreamUpdatedAt,
  };
}
