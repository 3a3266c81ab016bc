import { Module } from '@nestjs/common';
import { BackfillModule } from '../backfill/backfill.module.js';
import { DlqModule } from '../dlq/dlq.module.js';
import { InboxModule } from '../inbox/inbox.module.js';
import { OutboundModule } from '../outbound/outbound.module.js';
import { BackfillStatusResolver } from './backfill/backfill-status.resolver.js';
import { SyncOverviewResolver } from './overview/sync-overview.resolver.js';
import { SyncOverviewService } from './overview/sync-overview.service.js';
import { SyncStatusResolver } from './sync-status.resolver.js';
import { SyncStatusService } from './sync-status.service.js';

@Module({
  imports: [InboxModule, DlqModule, BackfillModule, OutboundModule],
  providers: [SyncStatusService, SyncStatusResolver, SyncOverviewService, SyncOverviewResolver, BackfillStatusResolver],
  exports: [SyncStatusService],
})
export class SyncStatusModule {}
