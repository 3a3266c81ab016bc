import 'reflect-metadata';
import { ConfigValidationError, type AppConfig } from './config/app-config.js';
import { createRootLogger } from './observability/logging/root-logger.js';
import { loadConfigFromEnvironment, startService, type RunningService } from './bootstrap.js';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfigFromEnvironment();
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    process.stderr.write(`${error.message}\nSee .env.example for every variable and its rule.\n`);
    process.exit(1);
  }

  const logger = createRootLogger(config.logLevel);
  let service: RunningService;
  try {
    service = await startService(config, logger);
  } catch (error) {
    logger.fatal(
      { err: error },
      `the service could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    service.stop().then(
      () => {
        logger.info('stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

void main();
