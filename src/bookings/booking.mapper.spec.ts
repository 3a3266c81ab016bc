import { describe, expect, it } from 'vitest';
import { mapBookingStatus, mapGhlAppointment } from './booking.mapper.js';

describe('booking mapper', () => {
  it.each([
    ['new', 'SCHEDULED'],
    ['booked', 'SCHEDULED'],
    ['confirmed', 'CONFIRMED'],
    ['showed', 'COMPLETED'],
    ['noshow', 'NO_SHOW'],
    ['cancelled', 'CANCELED'],
    ['invalid', 'CANCELED'],
    ['active', 'SCHEDULED'],
    ['completed', 'COMPLETED'],
    ['Confirmed', 'CONFIRMED'],
    ['no_show', 'NO_SHOW'],
    ['rescheduled-by-robot', 'SCHEDULED'],
    [undefined, 'SCHEDULED'],
  ])('maps appointmentStatus %j to %s', (raw, status) => {
    expect(mapBookingStatus(raw)).toBe(status);
  });

  it('maps an appointment webhook: UTC times from offsets, raw status kept, no personal fields', () => {
    const change = mapGhlAppointment({
      locationId: 'loc-1',
      timestamp: '2026-11-29T10:00:00.000Z',
      appointment: {
        id: 'appt-1',
        calendarId: 'cal-1',
        contactId: 'contact-1',
        title: 'Intro session',
        appointmentStatus: 'showed',
        assignedUserId: 'user-1',
        users: ['user-1'],
        source: 'booking_widget',
        startTime: '2023-09-25T16:00:00+05:30',
        endTime: '2023-09-25T16:30:00+05:30',
        dateUpdated: '2023-09-20T08:00:00.000Z',
      },
    });
    expect(change).toEqual({
      ghlAppointmentId: 'appt-1',
      ghlLocationId: 'loc-1',
      ghlContactId: 'contact-1',
      calendarId: 'cal-1',
      title: 'Intro session',
      status: 'COMPLETED',
      statusRaw: 'showed',
      startsAt: new Date('2023-09-25T10:30:00.000Z'),
      endsAt: new Date('2023-09-25T11:00:00.000Z'),
      meta: { source: 'booking_widget', assignedUserId: 'user-1', users: ['user-1'] },
      upstreamUpdatedAt: new Date('2023-09-20T08:00:00.000Z'),
    });
  });

  it('orders by the delivery timestamp when the appointment has no dateUpdated', () => {
    const change = mapGhlAppointment({
      locationId: 'loc-1',
      timestamp: '2026-11-29T10:00:00.000Z',
      appointment: { id: 'a', startTime: '2026-12-01T09:00:00Z' },
    });
    expect(change.upstreamUpdatedAt).toEqual(new Date('2026-11-29T10:00:00.000Z'));
    expect(change).toMatchObject({
      ghlContactId: undefined,
      endsAt: null,
      statusRaw: null,
      status: 'SCHEDULED',
      meta: {},
    });
  });
});
