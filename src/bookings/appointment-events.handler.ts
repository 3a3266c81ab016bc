import { Injectable } from '@nestjs/common';
import type { HandlerOutcome, InboundEventHandler, StoredInboundEvent } from '../inbox/inbound-event.js';
import { HandlesInboundEvents } from '../inbox/inbound-handler.registry.js';
import { mapGhlAppointment } from './booking.mapper.js';
import { BookingsService } from './bookings.service.js';
import { GhlAppointmentWebhookDto } from './dto/appointment-webhook.dto.js';

export const APPOINTMENT_EVENT_TYPES = ['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete'] as const;

/**
 * GHL appointment webhooks, from the inbox into `bookings`. The event type decides delete versus
 * upsert; create and update are the same upsert, so an update that GHL labels `AppointmentCreate`
 * (as its docs' examples do) still applies when its `dateUpdated` is newer.
 */
@HandlesInboundEvents()
@Injectable()
export class AppointmentEventsHandler implements InboundEventHandler {
  readonly eventTypes = APPOINTMENT_EVENT_TYPES;
  readonly payloadDto = GhlAppointmentWebhookDto;

  constructor(private readonly bookings: BookingsService) {}

  async handle(event: StoredInboundEvent): Promise<HandlerOutcome> {
    const change = mapGhlAppointment(event.payload as unknown as GhlAppointmentWebhookDto);
    const kind = event.type === 'AppointmentDelete' ? 'delete' : 'upsert';
    return this.bookings.applyGhlAppointment(change, kind, event.correlationId);
  }
}
