import 'reflect-metadata';
import { createRootLogger } from '../observability/logging/root-logger.js';
import { defaultDataDir, loadConfigFromEnvironment, migrate, resolveDatabase } from '../bootstrap.js';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database. */
async function main(): Promise<number> {
  const logger = createRootLogger('info');
  try {
    const { config, embedded } = await resolveDatabase(loadConfigFromEnvironment(), defaultDataDir(), logger);
    try {
      await migrate(config, logger);
    } finally {
      await embedded?.stop();
    }
    return 0;
  } catch (error) {
    logger.fatal(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

process.exitCode = await main();
