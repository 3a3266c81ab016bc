import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module.js';
import { DomainEventsModule } from '../domain-events/domain-events.module.js';
import { AppointmentEventsHandler } from './appointment-events.handler.js';
import { BookingsRepository } from './bookings.repository.js';
import { BookingsResolver, ContactBookingsResolver } from './bookings.resolver.js';
import { BookingsService } from './bookings.service.js';

/** Bookings: GHL appointment webhooks in (with booking domain events), the bookings read API out. */
@Module({
  imports: [ContactsModule, DomainEventsModule],
  providers: [BookingsRepository, BookingsService, AppointmentEventsHandler, BookingsResolver, ContactBookingsResolver],
  exports: [BookingsService],
})
export class BookingsModule {}
