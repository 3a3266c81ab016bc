import { Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ActivityMinute, LocationOverview, SyncOverview } from './sync-overview.model.js';
import { SyncOverviewService } from './sync-overview.service.js';

/** `syncOverview`: each part is read only when the query selects it. */
@Resolver(() => SyncOverview)
export class SyncOverviewResolver {
  constructor(private readonly overview: SyncOverviewService) {}

  @Query(() => SyncOverview, { description: "The console's overview: per location and object, and the last 24 h." })
  syncOverview(): SyncOverview {
    return {} as SyncOverview;
  }

  @ResolveField(() => [LocationOverview])
  locations(): Promise<LocationOverview[]> {
    return this.overview.locations();
  }

  @ResolveField(() => [ActivityMinute])
  activity(): Promise<ActivityMinute[]> {
    return this.overview.activity();
  }
}
