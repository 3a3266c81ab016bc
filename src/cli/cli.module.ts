import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { InboxModule } from '../inbox/inbox.module.js';
import { AnalyticsModule } from '../observability/analytics/analytics.module.js';
import { LoggingModule } from '../observability/logging/logging.module.js';
import { SyncCountersModule } from '../observability/metrics/sync-counters.js';
import { BackfillRunnerModule } from '../backfill/backfill-runner.module.js';
import { OutboundPushModule } from '../outbound/outbound-push.module.js';
import { OutboundModule } from '../outbound/outbound.module.js';
import { QueueModule } from '../queue/queue.module.js';

/**
 * What a command-line tool needs of the service around its own module: configuration, logs,
 * PostHog, the database and pg-boss (with the inbox, outbound and backfill modules, whose processors the queue's boot checks for),
 * without HTTP or queue workers (give it a config with SERVICE_ROLE=api).
 */
@Module({})
export class CliModule {
  static register(config: AppConfig, logger: Logger, features: Type[]): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        AnalyticsModule,
        SyncCountersModule,
        DatabaseModule,
        QueueModule,
        InboxModule,
        OutboundModule,
        ...(config.syncsOutbound ? [OutboundPushModule] : []),
        ...(config.backfillsFromGhl ? [BackfillRunnerModule] : []),
        ...features.filter((feature) => feature !== BackfillRunnerModule),
      ],
    };
  }
}
