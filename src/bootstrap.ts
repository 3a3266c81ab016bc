import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { createApp } from './app.factory.js';
import { loadAppConfig, type AppConfig } from './config/app-config.js';
import { EmbeddedPostgresServer, runningEmbeddedServerUrl } from './database/embedded/embedded-postgres.server.js';
import { readMigrationFiles } from './database/migrations/migration-files.js';
import { runMigrations } from './database/migrations/migration-runner.js';
import { loadOrCreateApiKey } from './graphql/api-key.file.js';
import { MIGRATIONS_DIR } from './paths.js';

/** Name of the database the embedded server holds for the service. */
export const EMBEDDED_DATABASE = 'trainu_sync';

/** Where `npm start` keeps the embedded cluster and the generated API key: `./.data` of the working directory. */
export const defaultDataDir = () => join(process.cwd(), '.data');

/**
 * Reads `./.env` when present (real environment variables win) and validates the result.
 * Throws ConfigValidationError naming every bad variable.
 */
export function loadConfigFromEnvironment(): AppConfig {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return loadAppConfig(process.env);
}

export interface DatabaseHandle {
  readonly config: AppConfig;
  /** Present when this process started the embedded server (and so must stop it). */
  readonly embedded: EmbeddedPostgresServer | undefined;
}

/**
 * Uses DATABASE_URL when set; otherwise the embedded server under `<dataDir>/postgres`: with
 * `attach`, the one a running service already holds, if any (for the CLIs); else it starts it.
 */
export async function resolveDatabase(
  config: AppConfig,
  dataDir: string,
  logger: Logger,
  { attach = false }: { attach?: boolean } = {},
): Promise<DatabaseHandle> {
  if (config.databaseUrl) return { config, embedded: undefined };
  const running = attach ? runningEmbeddedServerUrl(dataDir, EMBEDDED_DATABASE) : undefined;
  if (running) return { config: config.with({ databaseUrl: running }), embedded: undefined };
  const embedded = await EmbeddedPostgresServer.start({ dataDir, logger, database: EMBEDDED_DATABASE });
  return { config: config.with({ databaseUrl: embedded.urlFor(EMBEDDED_DATABASE) }), embedded };
}

export async function migrate(config: AppConfig, logger: Logger): Promise<void> {
  await runMigrations(
    config.databaseUrl!,
    readMigrationFiles(MIGRATIONS_DIR),
    logger.child({ component: 'migrations' }),
  );
}

/**
 * Without GRAPHQL_API_KEYS the API still has a key: one generated into the data directory,
 * printed the first time only.
 */
export function ensureApiKey(config: AppConfig, dataDir: string, logger: Logger): AppConfig {
  if (!config.servesApi || config.graphql.apiKeys.length > 0) return config;
  const generated = loadOrCreateApiKey(dataDir);
  if (generated.created) {
    process.stdout.write(
      `\nGRAPHQL_API_KEYS is not set, so a GraphQL API key was generated and saved to ${generated.path}.\n` +
        `It is shown only this once:\n\n    ${generated.key}\n\nSend it as "Authorization: Bearer <key>".\n\n`,
    );
  } else {
    logger.info({ path: generated.path }, 'GraphQL API key read from the data directory');
  }
  return config.with({ graphql: { ...config.graphql, apiKeys: [generated.key] } });
}

export interface RunningService {
  readonly app: NestFastifyApplication;
  readonly url: string;
  stop(): Promise<void>;
}

/** Everything `npm start` does, in order: database, migrations, API key, Nest, listen. */
export async function startService(
  initial: AppConfig,
  logger: Logger,
  dataDir = defaultDataDir(),
): Promise<RunningService> {
  const { config: withDatabase, embedded } = await resolveDatabase(initial, dataDir, logger);
  try {
    if (withDatabase.migrateOnStart) await migrate(withDatabase, logger);
    const config = ensureApiKey(withDatabase, dataDir, logger);
    const app = await createApp(config, logger);
    await app.listen({ port: config.http.port, host: config.http.host });
    const url = await app.getUrl();
    logger.info({ url, role: config.serviceRole, embeddedPostgres: Boolean(embedded) }, 'service is listening');
    return {
      app,
      url,
      async stop() {
        await app.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}
