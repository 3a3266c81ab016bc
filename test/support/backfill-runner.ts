import { Test, type TestingModule } from '@nestjs/testing';
import { BackfillRunnerModule } from '../../src/backfill/backfill-runner.module.js';
import { migrate } from '../../src/bootstrap.js';
import { loadAppConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { DatabaseModule } from '../../src/database/database.module.js';
import { createRootLogger } from '../../src/observability/logging/root-logger.js';
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
  });
  await migrate(config, createRootLogger('silent', new CapturedLogs()));
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), DatabaseModule, BackfillRunnerModule],
  }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  return moduleRef;
}
