import { Module } from '@nestjs/common';
import { ContactsModule } from '../../contacts/contacts.module.js';
import { ConflictReapplyService } from './conflict-reapply.service.js';
import { SyncConflictsRepository } from './sync-conflicts.repository.js';
import { SyncConflictsResolver } from './sync-conflicts.resolver.js';

/** The conflict log's API (`syncConflicts`, `reapplyConflictValue`); inert where the GraphQL module is not loaded. */
@Module({
  imports: [ContactsModule],
  providers: [SyncConflictsRepository, ConflictReapplyService, SyncConflictsResolver],
})
export class SyncConflictsModule {}
