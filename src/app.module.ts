import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { BackfillRunnerModule } from './backfill/backfill-runner.module.js';
import { BookingsModule } from './bookings/bookings.module.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { ConsoleElsewhereModule, ConsoleModule } from './console/console.module.js';
import { ContactsModule } from './contacts/contacts.module.js';
import { DatabaseModule } from './database/database.module.js';
import { GraphqlApiModule } from './graphql/graphql-api.module.js';
import { DlqAdminModule } from './dlq/dlq-admin.module.js';
import { InboxModule } from './inbox/inbox.module.js';
import { AnalyticsModule } from './observability/analytics/analytics.module.js';
import { HealthModule } from './observability/health/health.module.js';
import { LoggingModule } from './observability/logging/logging.module.js';
import { MetricsModule } from './observability/metrics/metrics.module.js';
import { SyncCountersModule } from './observability/metrics/sync-counters.js';
import { OpportunitiesModule } from './opportunities/opportunities.module.js';
import { OutboundPushModule } from './outbound/outbound-push.module.js';
import { SyncConflictsModule } from './outbound/conflicts/sync-conflicts.module.js';
import { OutboundModule } from './outbound/outbound.module.js';
import { QueueModule } from './queue/queue.module.js';
import { SyncStatusModule } from './sync-status/sync-status.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/**
 * The application, composed for one configuration. Domain modules load in every role (their
 * handlers validate deliveries in the API and process them in workers); health and metrics are
 * served in every role; webhooks, the read API and the console only where SERVICE_ROLE serves the API (queue
 * workers run per QueueService); the REST backfill only where GHL's location and token are set; the outbound relay
 * only where workers run and OUTBOUND_MODE is not off.
 */
@Module({})
export class AppModule {
  static register(config: AppConfig, rootLogger: Logger): DynamicModule {
    const apiModules = config.servesApi
      ? [WebhooksModule, GraphqlApiModule, SyncStatusModule, ConsoleModule]
      : [ConsoleElsewhereModule];
    const backfillModules = config.backfillsFromGhl ? [BackfillRunnerModule] : [];
    const outboundModules = config.syncsOutbound ? [OutboundPushModule] : [];
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(rootLogger),
        AnalyticsModule,
        SyncCountersModule,
        DatabaseModule,
        QueueModule,
        InboxModule,
        ContactsModule,
        BookingsModule,
        OpportunitiesModule,
        OutboundModule,
        DlqAdminModule,
        SyncConflictsModule,
        HealthModule,
        MetricsModule,
        ...backfillModules,
        ...outboundModules,
        ...apiModules,
      ],
    };
  }
}
