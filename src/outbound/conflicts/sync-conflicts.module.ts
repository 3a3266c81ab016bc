import { Module } from '@nestjs/common';
import { ContactsModule } from '../../contacts/contacts.module.js';
import { SyncConflictsRepository } from './sync-conflicts.repository.js';
import { SyncConflictsResolver } from './sync-conflicts.resolver.js';

/** The conflict log's read API (`syncConflicts`); inert where the GraphQL module is not loaded. */
@Module({
  imports: [ContactsModule],
  providers: [SyncConflictsRepository, SyncConflictsResolver],
})
export class SyncConflictsModule {}
