import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module.js';
import { OpportunitiesModule } from '../opportunities/opportunities.module.js';
import { GhlClient } from '../ghl/ghl-client.js';
import { RateLimitGovernor } from '../ghl/rate-limit-governor.js';
import { BackfillSeenRepository } from './backfill-seen.repository.js';
import { BackfillModule } from './backfill.module.js';
import { CheckpointedListing } from './checkpointed-listing.js';
import { ContactsBackfill } from './contacts-backfill.js';
import { PipelinesBackfill } from './pipelines-backfill.js';

/**
 * The REST backfill and what it needs from GHL. Needs GHL_LOCATION_ID and
 * GHL_PRIVATE_INTEGRATION_TOKEN; not yet part of AppModule (the cron job and `npm run backfill`
 * that will load it are the next step of issue 6).
 */
@Module({
  imports: [ContactsModule, OpportunitiesModule, BackfillModule],
  providers: [
    RateLimitGovernor,
    GhlClient,
    BackfillSeenRepository,
    CheckpointedListing,
    ContactsBackfill,
    PipelinesBackfill,
  ],
  exports: [ContactsBackfill, PipelinesBackfill, GhlClient, RateLimitGovernor],
})
export class BackfillRunnerModule {}
