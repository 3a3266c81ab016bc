import { GHLServerError } from '@gohighlevel/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAppConfig } from '../../src/config/app-config.js';
import { classifyFailure, PermanentSyncError, RetryAfterError } from '../../src/dlq/sync-errors.js';
import { migrate } from '../../src/bootstrap.js';
import { PrismaService } from '../../src/database/prisma.service.js';
import { GhlClient } from '../../src/ghl/ghl-client.js';
import { RateLimitGovernor } from '../../src/ghl/rate-limit-governor.js';
import { createRootLogger } from '../../src/observability/logging/root-logger.js';
import { CapturedLogs } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { GhlApiStandIn } from '../support/ghl-api-stand-in.js';

describe('GHL client (official SDK) against the stand-in', () => {
  let ghl: GhlApiStandIn;
  let database: TestDatabase;
  const pools: PrismaService[] = [];
  const clientFor = (standIn: GhlApiStandIn, token = standIn.token) => {
    const config = loadAppConfig({
      DATABASE_URL: database.url,
      GHL_API_BASE_URL: standIn.url,
      GHL_LOCATION_ID: standIn.locationId,
      GHL_PRIVATE_INTEGRATION_TOKEN: token,
    });
    const prisma = new PrismaService(config);
    pools.push(prisma);
    return new GhlClient(config, new RateLimitGovernor(prisma, config));
  };

  beforeAll(async () => {
    database = await createTestDatabase('ghl_client');
    await migrate(loadAppConfig({ DATABASE_URL: database.url }), createRootLogger('silent', new CapturedLogs()));
    ghl = await GhlApiStandIn.start();
    const contacts = ghl.seedContacts(30);
    ghl.seedOpportunities(12, ghl.seedPipeline(), contacts);
    ghl.seedAppointments(5, contacts);
  });

  afterAll(async () => {
    await ghl.stop();
    await Promise.all(pools.map((prisma) => prisma.onApplicationShutdown()));
    await database.drop();
  });

  it('reads contacts, opportunities, pipelines, calendars and events with the documented Version headers', async () => {
    const client = clientFor(ghl);
    const contacts = await client.searchContacts({ pageLimit: 10, page: 2 });
    expect(contacts.total).toBe(30);
    expect(contacts.contacts.map((contact) => contact.id)).toEqual(
      [...ghl.contacts.values()].slice(10, 20).map((contact) => contact.id),
    );
    const opportunities = (await client.searchOpportunities({ limit: 5 })) as {
      opportunities: unknown[];
      meta: { total: number };
    };
    expect(opportunities.opportunities).toHaveLength(5);
    expect(opportunities.meta.total).toBe(12);
    expect(((await client.getPipelines()) as { pipelines: unknown[] }).pipelines).toEqual(ghl.pipelines);
    const calendars = (await client.getCalendars()) as { calendars: { id: string }[] };
    expect(calendars.calendars.map((calendar) => calendar.id)).toEqual(ghl.calendars.map((calendar) => calendar.id));
    const events = (await client.getCalendarEvents(
      ghl.calendars[0]!.id,
      new Date('2026-01-05T00:00:00Z'),
      new Date('2026-01-06T00:00:00Z'),
    )) as { events: unknown[] };
    expect(events.events).toHaveLength(5);
    expect(ghl.requests.every((request) => request.status === 200)).toBe(true);
  });

  it('turns GHL failures into the sync’s errors: 429 waits as the headers say, 4xx is permanent, 5xx is retried', async () => {
    const limited = await GhlApiStandIn.start({ locationId: 'loc-limited', limits: { burst: 1, windowMs: 4_000 } });
    try {
      const client = clientFor(limited);
      await client.getPipelines();
      // Another client of the location spends the window, unknown to the governor: GHL answers 429.
      await fetch(`${limited.url}/opportunities/pipelines`, {
        headers: { authorization: `Bearer ${limited.token}`, version: '2021-07-28' },
      });
      await database.query(
        "UPDATE ghl_sync.ghl_rate_limits SET blocked_until = NULL, burst_max = 5 WHERE location_id = 'loc-limited'",
      );
      const throttled = await client.getPipelines().catch((error: unknown) => error);
      expect(throttled).toBeInstanceOf(RetryAfterError);
      expect((throttled as RetryAfterError).retryAfterSeconds).toBe(4);
      expect(classifyFailure(throttled)).toEqual({ errorClass: 'RateLimited', retryable: true, retryAfterSeconds: 4 });
      const [paused] = await database.query<{ blocked_for: number }>(
        "SELECT EXTRACT(EPOCH FROM blocked_until - now())::float AS blocked_for FROM ghl_sync.ghl_rate_limits WHERE location_id = 'loc-limited'",
      );
      expect(paused!.blocked_for).toBeGreaterThan(3);
    } finally {
      await limited.stop();
    }

    const rejected = await clientFor(ghl, 'pit-revoked')
      .getPipelines()
      .catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(PermanentSyncError);
    expect(classifyFailure(rejected)).toEqual({ errorClass: 'UpstreamRejected', retryable: false });
    expect((rejected as Error).message).toContain('GHL answered 401');

    ghl.injectFailures({ status: 502 });
    const failing = await clientFor(ghl)
      .getPipelines()
      .catch((error: unknown) => error);
    expect(failing).toBeInstanceOf(GHLServerError);
    expect(classifyFailure(failing).retryable).toBe(true);
  });
});
