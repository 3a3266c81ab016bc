import { Query, Resolver } from '@nestjs/graphql';
import { SyncStatus } from './models/sync-status.model.js';
import { SyncStatusService } from './sync-status.service.js';

@Resolver(() => SyncStatus)
export class SyncStatusResolver {
  constructor(private readonly service: SyncStatusService) {}

  @Query(() => SyncStatus, { description: 'Queue depth, open dead letters and recent sync activity.' })
  async syncStatus(): Promise<SyncStatus> {
    return this.service.current();
  }
}
