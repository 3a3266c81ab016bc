import { Args, Context, Info, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { loadContact, withLazyTags } from '../contacts/contact.loaders.js';
import { ContactsRepository, type ContactNode } from '../contacts/contacts.repository.js';
import { Contact } from '../contacts/models/contact.model.js';
import { pageOf, type Connection } from '../graphql/pagination.js';
import { lazyField, readWith } from '../graphql/lazy-field.js';
import type { GraphqlContext, RequestLoaders } from '../graphql/request-loaders.js';
import { selectedFields, selects } from '../graphql/selection.js';
import { BookingsRepository, type BookingNode } from './bookings.repository.js';
import { BookingsArgs } from './dto/bookings.args.js';
import { Booking, BookingConnection } from './models/booking.model.js';

const BOOKINGS_BY_CONTACT = Symbol('bookings by contact');

/**
 * The booking with its contact as a plain field: read with it (its tags then loaded when read), or
 * else loaded through the request's contact loader when a query reads it. No Nest resolver runs
 * per booking.
 */
function withContactField(booking: BookingNode, contacts: ContactsRepository, loaders: RequestLoaders): BookingNode {
  const contact = readWith(booking, 'contact') as ContactNode | null | undefined;
  if (contact) withLazyTags(contact, contacts, loaders);
  return lazyField(booking, 'contact', () => loadContact(loaders, contacts, booking.contactId));
}

@Resolver(() => Booking)
export class BookingsResolver {
  constructor(
    private readonly repository: BookingsRepository,
    private readonly contacts: ContactsRepository,
  ) {}

  @Query(() => BookingConnection, { description: 'Bookings in creation order; deleted ones only with includeDeleted.' })
  async bookings(
    @Args() { filter, first, after }: BookingsArgs,
    @Info() info: GraphQLResolveInfo,
    @Context() { loaders }: GraphqlContext,
  ): Promise<Connection<BookingNode>> {
    const query = {
      ...filter,
      includeDeleted: filter?.includeDeleted ?? false,
      fields: selectedFields(info, ['edges', 'node']),
      contactFields: selects(info, ['edges', 'node', 'contact'])
        ? selectedFields(info, ['edges', 'node', 'contact'])
        : undefined,
    };
    const page = await pageOf(this.repository, query, { first, after });
    for (const edge of page.edges) withContactField(edge.node, this.contacts, loaders);
    return page;
  }
}

/** `Contact.bookings`, owned here so the contacts module knows nothing of bookings. */
@Resolver(() => Contact)
export class ContactBookingsResolver {
  constructor(
    private readonly repository: BookingsRepository,
    private readonly contacts: ContactsRepository,
  ) {}

  @ResolveField(() => [Booking], { description: 'Live bookings, soonest first.' })
  async bookings(@Parent() contact: ContactNode, @Context() { loaders }: GraphqlContext): Promise<BookingNode[]> {
    const rows = await loaders.many(
      BOOKINGS_BY_CONTACT,
      contact.id,
      (ids) => this.repository.findByContactIds(ids),
      (row) => row.contactId,
    );
    return rows.map((row) => withContactField(row, this.contacts, loaders));
  }
}
