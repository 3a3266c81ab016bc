import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { loadContact } from '../../contacts/contact.loaders.js';
import { ContactsRepository, type ContactNode } from '../../contacts/contacts.repository.js';
import { Contact } from '../../contacts/models/contact.model.js';
import { callerOf } from '../../graphql/caller.js';
import { pageOf, type Connection } from '../../graphql/pagination.js';
import type { GraphqlContext } from '../../graphql/request-loaders.js';
import { SyncConflict, SyncConflictConnection } from './sync-conflict.model.js';
import { ConflictReapplyError, ConflictReapplyService } from './conflict-reapply.service.js';
import { SyncConflictIdArgs, SyncConflictsArgs } from './sync-conflicts.args.js';
import { SyncConflictsRepository, type SyncConflictRow } from './sync-conflicts.repository.js';

@Resolver(() => SyncConflict)
export class SyncConflictsResolver {
  constructor(
    private readonly conflicts: SyncConflictsRepository,
    private readonly contacts: ContactsRepository,
    private readonly reapplying: ConflictReapplyService,
  ) {}

  @Query(() => SyncConflictConnection, {
    description: 'Fields both sides changed, in the order the conflicts were recorded, with both values.',
  })
  async syncConflicts(@Args() { contactId, first, after }: SyncConflictsArgs): Promise<Connection<SyncConflictRow>> {
    return pageOf(this.conflicts, { contactId }, { first, after });
  }

  @Mutation(() => SyncConflict, {
    description:
      'Writes the losing value back through the normal path: as a TrainU change, which the push sends to GHL, so both sides end on it. Records who and when.',
  })
  async reapplyConflictValue(@Args() { id }: SyncConflictIdArgs, @Context() context: GraphqlContext) {
    try {
      return await this.reapplying.reapply(id, callerOf(context));
    } catch (error) {
      if (!(error instanceof ConflictReapplyError)) throw error;
      const code = error.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'CONFLICT';
      throw new GraphQLError(error.message, { extensions: { code } });
    }
  }

  @ResolveField(() => Contact, { nullable: true })
  contact(@Parent() conflict: SyncConflictRow, @Context() { loaders }: GraphqlContext): Promise<ContactNode | null> {
    return loadContact(loaders, this.contacts, conflict.contactId);
  }
}
