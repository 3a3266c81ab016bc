import { Module } from '@nestjs/common';
import { ContactsModule } from '../../contacts/contacts.module.js';
import { ConflictReapplyService } from './conflict-reapply.service.js';
import { SyncConflictsRepository } from './sync-conflicts.repository.js';
import { SyncConflictsResolver } from './sync-conflicts.resolver.js';
import { OutboundPreviewResolver } from '../preview/outbound-preview.resolver.js';

/**
 * The two-way sync's operator API: the conflict log (`syncConflicts`, `reapplyConflictValue`) and
 * `outboundPreview`; inert where the GraphQL module is not loaded.
 */
@Module({
  imports: [ContactsModule],
  providers: [SyncConflictsRepository, ConflictReapplyService, SyncConflictsResolver, OutboundPreviewResolver],
})
export class SyncConflictsModule {}
