import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadAppConfig, ConfigValidationError } from '../config/app-config.js';
import { createRootLogger } from '../observability/logging/root-logger.js';
import { migrate, resolveDatabase } from '../bootstrap.js';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database. */
async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const logger = createRootLogger('info');
  try {
    const { config, embedded } = await resolveDatabase(
      loadAppConfig(process.env),
      join(process.cwd(), '.data'),
      logger,
    );
    try {
      await migrate(config, logger);
    } finally {
      await embedded?.stop();
    }
    return 0;
  } catch (error) {
    const message = error instanceof ConfigValidationError || error instanceof Error ? error.message : String(error);
    logger.fatal(`migration failed: ${message}`);
    return 1;
  }
}

process.exitCode = await main();
