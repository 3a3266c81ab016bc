import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory.js';
import { loadAppConfig, type AppConfig } from '../../src/config/app-config.js';
import { migrate } from '../../src/bootstrap.js';
import { createRootLogger } from '../../src/observability/logging/root-logger.js';
import { postGraphql } from './graphql-client.js';

export const TEST_API_KEY = 'test-key-0123456789abcdef';

/** Every log line the app under test wrote, parsed. */
export class CapturedLogs extends Writable {
  readonly lines: Record<string, unknown>[] = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }

  withCorrelationId(id: string): Record<string, unknown>[] {
    return this.lines.filter((line) => line.correlation_id === id);
  }
}

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly config: AppConfig;
  readonly logs: CapturedLogs;
  graphql(query: string, options?: { apiKey?: string | null; variables?: Record<string, unknown> }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The real application over real HTTP on a random port, against the given database (migrated
 * first). `env` overrides the environment the configuration is read from.
 */
export async function startTestApp(databaseUrl: string, env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadAppConfig({
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    GRAPHQL_API_KEYS: TEST_API_KEY,
    LOG_LEVEL: 'info',
    ...env,
  });
  const logs = new CapturedLogs();
  const logger = createRootLogger(config.logLevel, logs);
  await migrate(config, logger);
  const app = await createApp(config, logger);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = await app.getUrl();
  return {
    app,
    url,
    config,
    logs,
    graphql: (query, { apiKey = TEST_API_KEY, variables } = {}) => postGraphql(url, query, { apiKey, variables }),
    close: () => app.close(),
  };
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
