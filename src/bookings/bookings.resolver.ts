import { Args, Context, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { loadContact } from '../contacts/contact.loaders.js';
import { ContactsRepository, type ContactRow } from '../contacts/contacts.repository.js';
import { Contact } from '../contacts/models/contact.model.js';
import { pageOf, type Connection } from '../graphql/pagination.js';
import type { GraphqlContext } from '../graphql/request-loaders.js';
import { BookingsRepository, type BookingRow } from './bookings.repository.js';
import { BookingsArgs } from './dto/bookings.args.js';
import { Booking, BookingConnection } from './models/booking.model.js';

const BOOKINGS_BY_CONTACT = Symbol('bookings by contact');

@Resolver(() => Booking)
export class BookingsResolver {
  constructor(
    private readonly repository: BookingsRepository,
    private readonly contacts: ContactsRepository,
  ) {}

  @Query(() => BookingConnection, { description: 'Bookings in creation order; deleted ones only with includeDeleted.' })
  async bookings(@Args() { filter, first, after }: BookingsArgs): Promise<Connection<BookingRow>> {
    return pageOf(this.repository, { ...filter, includeDeleted: filter?.includeDeleted ?? false }, { first, after });
  }

  @ResolveField(() => Contact, { nullable: true })
  async contact(@Parent() booking: BookingRow, @Context() { loaders }: GraphqlContext): Promise<ContactRow | null> {
    return loadContact(loaders, this.contacts, booking.contactId);
  }
}

/** `Contact.bookings`, owned here so the contacts module knows nothing of bookings. */
@Resolver(() => Contact)
export class ContactBookingsResolver {
  constructor(private readonly repository: BookingsRepository) {}

  @ResolveField(() => [Booking], { description: 'Live bookings, soonest first.' })
  async bookings(@Parent() contact: ContactRow, @Context() { loaders }: GraphqlContext): Promise<BookingRow[]> {
    return loaders.many(
      BOOKINGS_BY_CONTACT,
      contact.id,
      (ids) => this.repository.findByContactIds(ids),
      (row) => row.contactId,
    );
  }
}
