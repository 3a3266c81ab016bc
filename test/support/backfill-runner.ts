import { Test, type TestingModule } from '@nestjs/testing';
import { BackfillRunnerModule } from '../../src/backfill/backfill-runner.module.js';
import { migrate } from '../../src/bootstrap.js';
import { CliModule } from '../../src/cli/cli.module.js';
import { loadAppConfig } from '../../src/config/app-config.js';
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
    SERVICE_ROLE: 'api',
  });
  const logger = createRootLogger('silent', new CapturedLogs());
  await migrate(config, logger);
  const moduleRef = await Test.createTestingModule({
    // As `npm run backfill` composes it: bookings publish domain events through pg-boss.
    imports: [CliModule.register(config, logger, [BackfillRunnerModule])],
  }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  return moduleRef;
}
