import { BackfillRunsRepository } from './backfill-runs.repository.js';
import { Module } from '@nestjs/common';
import { SyncCursorsRepository } from './sync-cursors.repository.js';

@Module({
  providers: [SyncCursorsRepository, BackfillRunsRepository],
  exports: [SyncCursorsRepository, BackfillRunsRepository],
})
export class BackfillModule {}
