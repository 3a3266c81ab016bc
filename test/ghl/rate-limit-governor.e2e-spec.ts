import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAppConfig, type AppConfig } from '../../src/config/app-config.js';
import { PrismaService } from '../../src/database/prisma.service.js';
import { RetryAfterError } from '../../src/dlq/sync-errors.js';
import { RateLimitGovernor } from '../../src/ghl/rate-limit-governor.js';
import { migrate } from '../../src/bootstrap.js';
import { createRootLogger } from '../../src/observability/logging/root-logger.js';
import { GhlApiStandIn } from '../support/ghl-api-stand-in.js';
import { CapturedLogs } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('GHL rate-limit governor, shared through Postgres', () => {
  let database: TestDatabase;
  let config: AppConfig;
  const clients: PrismaService[] = [];

  /** A governor with its own connection pool: what a second worker process would have. */
  const governor = () => {
    const prisma = new PrismaService(config);
    clients.push(prisma);
    return new RateLimitGovernor(prisma, config);
  };

  /** Acquire, call the stand-in, tell the governor what GHL's headers said. */
  async function requestThrough(rateLimits: RateLimitGovernor, ghl: GhlApiStandIn): Promise<number> {
    await rateLimits.acquire(ghl.locationId);
    const response = await fetch(`${ghl.url}/opportunities/pipelines?locationId=${ghl.locationId}`, {
      headers: { authorization: `Bearer ${ghl.token}`, version: '2021-07-28' },
    });
    await rateLimits.observe(ghl.locationId, Object.fromEntries(response.headers));
    return response.status;
  }

  beforeAll(async () => {
    database = await createTestDatabase('governor');
    config = loadAppConfig({ DATABASE_URL: database.url, GHL_DAILY_RESERVE: '100' });
    await migrate(config, createRootLogger('silent', new CapturedLogs()));
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.onApplicationShutdown()));
    await database.drop();
  });

  it('keeps two workers together inside the burst limit: no 429, and close to the limit', async () => {
    const ghl = await GhlApiStandIn.start({ locationId: 'loc-burst', limits: { burst: 10, windowMs: 1_000 } });
    try {
      const [first, second] = [governor(), governor()];
      const started = Date.now();
      const statuses = await Promise.all(
        [first, second].map(async (rateLimits) => {
          const seen: number[] = [];
          for (let index = 0; index < 30; index++) seen.push(await requestThrough(rateLimits, ghl));
          return seen;
        }),
      );
      const seconds = (Date.now() - started) / 1000;
      expect(statuses.flat()).toEqual(Array(60).fill(200));
      expect(ghl.throttled).toBe(0);
      // 60 requests at 10 per second: at least five full windows, and not much more.
      expect(seconds).toBeGreaterThan(4.9);
      expect(seconds).toBeLessThan(9);
    } finally {
      await ghl.stop();
    }
  });

  it('sends nothing to a location for as long as a 429 asked', async () => {
    const rateLimits = governor();
    await rateLimits.blockFor('loc-429', 1.5);
    const started = Date.now();
    await rateLimits.acquire('loc-429', 'webhook');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_300);
  });

  it('leaves the daily reserve to webhook-triggered fetches', async () => {
    const rateLimits = governor();
    await rateLimits.observe('loc-daily', { 'x-ratelimit-daily-remaining': '100', 'x-ratelimit-max': '100' });
    const refused = await rateLimits.acquire('loc-daily', 'backfill').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RetryAfterError);
    expect((refused as RetryAfterError).retryAfterSeconds).toBeGreaterThan(0);
    expect((refused as RetryAfterError).retryAfterSeconds).toBeLessThanOrEqual(86_400);
    await rateLimits.acquire('loc-daily', 'webhook');
    const [row] = await database.query<{ daily_used: number }>(
      "SELECT daily_used FROM ghl_sync.ghl_rate_limits WHERE location_id = 'loc-daily'",
    );
    expect(row!.daily_used).toBe(1);
  });

  it('lets outbound writes take 9 of 10 requests a window, leaving the tenth to webhook fetches', async () => {
    const rateLimits = governor();
    await rateLimits.observe('loc-outbound', { 'x-ratelimit-max': '10', 'x-ratelimit-interval-milliseconds': '2000' });
    const started = Date.now();
    for (let index = 0; index < 9; index++) await rateLimits.acquire('loc-outbound', 'outbound');
    expect(Date.now() - started).toBeLessThan(1_500);
    const tenthOutbound = rateLimits.acquire('loc-outbound', 'outbound').then(() => Date.now() - started);
    await rateLimits.acquire('loc-outbound', 'webhook');
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await tenthOutbound).toBeGreaterThanOrEqual(2_000);
  });

  it('leaves the daily reserve to webhook-triggered fetches when outbound writes ask too', async () => {
    const rateLimits = governor();
    await rateLimits.observe('loc-outbound-daily', { 'x-ratelimit-daily-remaining': '100', 'x-ratelimit-max': '100' });
    const refused = await rateLimits.acquire('loc-outbound-daily', 'outbound').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RetryAfterError);
    await rateLimits.acquire('loc-outbound-daily', 'webhook');
  });
});
