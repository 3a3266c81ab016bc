import { Test, type TestingModule } from '@nestjs/testing';
import { BackfillRunnerModule } from '../../src/backfill/backfill-runner.module.js';
import { migrate } from '../../src/bootstrap.js';
import { loadAppConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { DatabaseModule } from '../../src/database/database.module.js';
import { InboxModule } from '../../src/inbox/inbox.module.js';
import { AnalyticsModule } from '../../src/observability/analytics/analytics.module.js';
import { LoggingModule } from '../../src/observability/logging/logging.module.js';
import { createRootLogger } from '../../src/observability/logging/root-logger.js';
import { QueueModule } from '../../src/queue/queue.module.js';
import type { GhlApiStandIn } from './ghl-api-stand-in.js';
import { CapturedLogs } from './test-app.js';
import type { TestDatabase } from './test-database.js';

/** The backfill's providers on a migrated test database, talking to a GHL stand-in. */
export async function startBackfillRunner(database: TestDatabase, ghl: GhlApiStandIn): Promise<TestingModule> {
  const config = loadAppConfig({
    DATABASE_URL: database.url,
    GHL_API_BASE_URL: ghl.url,
    GHL_LOCATION_ID: ghl.locationId,
    GHL_PRIVATE_INTEGRATION_TOKEN: ghl.token,
    SERVICE_ROLE: 'api',
  });
  const logger = createRootLogger('silent', new CapturedLogs());
  await migrate(config, logger);
  const moduleRef = await Test.createTestingModule({
    // Bookings publish domain events through pg-boss: the queue (and the inbox processors its boot
    // checks for) as in the DLQ CLI, without workers (SERVICE_ROLE=api).
    imports: [
      ConfigModule.forRoot(config),
      LoggingModule.forRoot(logger),
      AnalyticsModule,
      DatabaseModule,
      QueueModule,
      InboxModule,
      BackfillRunnerModule,
    ],
  }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  return moduleRef;
}
