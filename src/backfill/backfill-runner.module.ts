import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { BookingsModule } from '../bookings/bookings.module.js';
import { ContactsModule } from '../contacts/contacts.module.js';
import { GhlModule } from '../ghl/ghl.module.js';
import { OpportunitiesModule } from '../opportunities/opportunities.module.js';
import { AppointmentsBackfill } from './appointments-backfill.js';
import { BackfillSeenRepository } from './backfill-seen.repository.js';
import { BackfillModule } from './backfill.module.js';
import { BackfillProcessor } from './backfill.processor.js';
import { BackfillScheduler } from './backfill.scheduler.js';
import { BackfillService } from './backfill.service.js';
import { CheckpointedListing } from './checkpointed-listing.js';
import { ContactsBackfill } from './contacts-backfill.js';
import { OpportunitiesBackfill } from './opportunities-backfill.js';
import { PipelinesBackfill } from './pipelines-backfill.js';

/**
 * The REST backfill: the GHL client and its rate-limit governor, one source per object, the
 * service that runs them, the `sync.backfill` queue's processor and the BACKFILL_CRON schedule.
 * Loaded only where GHL_LOCATION_ID and GHL_PRIVATE_INTEGRATION_TOKEN are set (AppModule, the CLI).
 */
@Module({
  imports: [ScheduleModule.forRoot(), GhlModule, ContactsModule, OpportunitiesModule, BookingsModule, BackfillModule],
  providers: [
    BackfillSeenRepository,
    CheckpointedListing,
    PipelinesBackfill,
    ContactsBackfill,
    OpportunitiesBackfill,
    AppointmentsBackfill,
    BackfillService,
    BackfillProcessor,
    BackfillScheduler,
  ],
  exports: [BackfillService, GhlModule],
})
export class BackfillRunnerModule {}
