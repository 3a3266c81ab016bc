import { Args, Context, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { loadContact } from '../../contacts/contact.loaders.js';
import { ContactsRepository, type ContactNode } from '../../contacts/contacts.repository.js';
import { Contact } from '../../contacts/models/contact.model.js';
import { pageOf, type Connection } from '../../graphql/pagination.js';
import type { GraphqlContext } from '../../graphql/request-loaders.js';
import { SyncConflict, SyncConflictConnection } from './sync-conflict.model.js';
import { SyncConflictsArgs } from './sync-conflicts.args.js';
import { SyncConflictsRepository, type SyncConflictRow } from './sync-conflicts.repository.js';

@Resolver(() => SyncConflict)
export class SyncConflictsResolver {
  constructor(
    private readonly conflicts: SyncConflictsRepository,
    private readonly contacts: ContactsRepository,
  ) {}

  @Query(() => SyncConflictConnection, {
    description: 'Fields both sides changed, in the order the conflicts were recorded, with both values.',
  })
  async syncConflicts(@Args() { contactId, first, after }: SyncConflictsArgs): Promise<Connection<SyncConflictRow>> {
    return pageOf(this.conflicts, { contactId }, { first, after });
  }

  @ResolveField(() => Contact, { nullable: true })
  contact(@Parent() conflict: SyncConflictRow, @Context() { loaders }: GraphqlContext): Promise<ContactNode | null> {
    return loadContact(loaders, this.contacts, conflict.contactId);
  }
}
