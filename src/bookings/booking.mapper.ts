import type { BookingStatus } from '../generated/prisma/enums.js';
import type { GhlAppointmentWebhookDto } from './dto/appointment-webhook.dto.js';
import { upstreamTimeOf } from '../inbox/upstream-time.js';

/** GHL appointmentStatus → booking status (ARCHITECTURE.md). Values GHL adds later land on SCHEDULED, raw value kept. */
const STATUS_BY_GHL_VALUE: Readonly<Record<string, BookingStatus>> = {
  new: 'SCHEDULED',
  booked: 'SCHEDULED',
  active: 'SCHEDULED',
  confirmed: 'CONFIRMED',
  showed: 'COMPLETED',
  completed: 'COMPLETED',
  noshow: 'NO_SHOW',
  cancelled: 'CANCELED',
  canceled: 'CANCELED',
  invalid: 'CANCELED',
};

export function mapBookingStatus(raw: string | undefined): BookingStatus {
  const key =
    raw
      ?.trim()
      .toLowerCase()
      .replace(/[\s_-]/g, '') ?? '';
  return STATUS_BY_GHL_VALUE[key] ?? 'SCHEDULED';
}

/** One GHL appointment, as TrainU books it. */
export interface GhlAppointmentChange {
  readonly ghlAppointmentId: string;
  readonly ghlLocationId: string;
  readonly ghlContactId: string | undefined;
  readonly calendarId: string | null;
  readonly title: string | null;
  readonly status: BookingStatus;
  readonly statusRaw: string | null;
  readonly startsAt: Date;
  readonly endsAt: Date | null;
  /** Non-personal details only. */
  readonly meta: { source?: string; assignedUserId?: string; groupId?: string; users?: string[] };
  /** `appointment.dateUpdated`, else the delivery `timestamp`. */
  readonly upstreamUpdatedAt: Date;
}

export function mapGhlAppointment(payload: GhlAppointmentWebhookDto): GhlAppointmentChange {
  const { appointment } = payload;
  const upstreamUpdatedAt = upstreamTimeOf(`GHL appointment ${appointment.id}`, {
    dateUpdated: appointment.dateUpdated,
    timestamp: payload.timestamp,
  });
  return {
    ghlAppointmentId: appointment.id,
    ghlLocationId: payload.locationId,
    ghlContactId: appointment.contactId || undefined,
    calendarId: appointment.calendarId ?? null,
    title: appointment.title ?? null,
    status: mapBookingStatus(appointment.appointmentStatus),
    statusRaw: appointment.appointmentStatus ?? null,
    startsAt: new Date(appointment.startTime),
    endsAt: appointment.endTime ? new Date(appointment.endTime) : null,
    meta: {
      ...(appointment.source !== undefined && { source: appointment.source }),
      ...(appointment.assignedUserId !== undefined && { assignedUserId: appointment.assignedUserId }),
      ...(appointment.groupId !== undefined && { groupId: appointment.groupId }),
      ...(appointment.users !== undefined && { users: appointment.users }),
    },
    upstreamUpdatedAt,
  };
}
