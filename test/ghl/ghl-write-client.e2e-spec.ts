import { GHLServerError } from '@gohighlevel/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAppConfig } from '../../src/config/app-config.js';
import { migrate } from '../../src/bootstrap.js';
import { PrismaService } from '../../src/database/prisma.service.js';
import { classifyFailure, RetryAfterError } from '../../src/dlq/sync-errors.js';
import { GhlClient } from '../../src/ghl/ghl-client.js';
import type { GhlContactUpdate } from '../../src/ghl/ghl-contact.js';
import {
  CreateOutcomeUnknownError,
  DuplicateContactError,
  UnknownPropertyError,
  UpstreamValidationError,
} from '../../src/ghl/ghl-errors.js';
import { RateLimitGovernor } from '../../src/ghl/rate-limit-governor.js';
import { createRootLogger } from '../../src/observability/logging/root-logger.js';
import { GhlApiStandIn } from '../support/ghl-api-stand-in.js';
import { CapturedLogs } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('GHL client: contact writes against the stand-in', () => {
  let ghl: GhlApiStandIn;
  let database: TestDatabase;
  const pools: PrismaService[] = [];
  const clientFor = (standIn: GhlApiStandIn, requestTimeoutMs?: number) => {
    const config = loadAppConfig({
      DATABASE_URL: database.url,
      GHL_API_BASE_URL: standIn.url,
      GHL_LOCATION_ID: standIn.locationId,
      GHL_PRIVATE_INTEGRATION_TOKEN: standIn.token,
    });
    const prisma = new PrismaService(config);
    pools.push(prisma);
    return new GhlClient(config, new RateLimitGovernor(prisma, config), { requestTimeoutMs });
  };
  const lastWrite = () => ghl.writes.at(-1)!;
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error,
    );

  beforeAll(async () => {
    database = await createTestDatabase('ghl_write_client');
    await migrate(loadAppConfig({ DATABASE_URL: database.url }), createRootLogger('silent', new CapturedLogs()));
    ghl = await GhlApiStandIn.start({ locationId: 'loc-client-writes' });
  });

  afterAll(async () => {
    await ghl.stop();
    await Promise.all(pools.map((prisma) => prisma.onApplicationShutdown()));
    await database.drop();
  });

  it('creates with tags and custom fields as {id, field_value}, and reads the contact back', async () => {
    const client = clientFor(ghl);
    const created = await client.createContact({
      email: 'ann@example.com',
      phone: '+1 213-373-4001',
      firstName: 'Ann',
      lastName: 'Lee',
      tags: ['lead'],
      customFields: [{ id: 'goal', value: '10k' }],
    });
    expect(lastWrite()).toMatchObject({
      method: 'POST',
      path: '/contacts/',
      status: 201,
      body: {
        locationId: ghl.locationId,
        email: 'ann@example.com',
        phone: '+1 213-373-4001',
        firstName: 'Ann',
        lastName: 'Lee',
        tags: ['lead'],
        customFields: [{ id: 'goal', field_value: '10k' }],
      },
    });
    expect(ghl.contacts.has(created.id)).toBe(true);
    expect(created).toEqual({
      id: created.id,
      email: 'ann@example.com',
      phone: '+12133734001',
      firstName: 'Ann',
      lastName: 'Lee',
      tags: ['lead'],
      customFields: [{ id: 'goal', value: '10k' }],
      dateUpdated: ghl.contacts.get(created.id)!.dateUpdated,
    });
    expect(await client.getContact(created.id)).toEqual(created);
    expect(await client.getContact('no-such-contact')).toBeNull();
    expect(ghl.requests.at(-1)).toMatchObject({ path: '/contacts/no-such-contact', status: 404 });
  });

  it('finds a duplicate by email or phone, sending + and @ URL-encoded; null when none', async () => {
    const client = clientFor(ghl);
    const created = await client.createContact({ email: 'bo+coach@example.com', phone: '+12133734002' });
    expect((await client.findDuplicate({ email: 'bo+coach@example.com' }))?.id).toBe(created.id);
    expect(ghl.requests.at(-1)!.query).toBe(`?locationId=${ghl.locationId}&email=bo%2Bcoach%40example.com`);
    expect((await client.findDuplicate({ phone: '+12133734002' }))?.id).toBe(created.id);
    expect(ghl.requests.at(-1)!.query).toBe(`?locationId=${ghl.locationId}&number=%2B12133734002`);
    expect(await client.findDuplicate({ email: 'nobody@example.com' })).toBeNull();
  });

  it('updates with only the given fields and never sends tags, which would overwrite them all', async () => {
    const client = clientFor(ghl);
    const created = await client.createContact({ email: 'cy@example.com', firstName: 'Cy', tags: ['lead', 'vip'] });
    const smuggled = { lastName: 'Moe', customFields: [{ id: 'goal', value: 5 }], tags: ['x'] };
    const updated = await client.updateContact(created.id, smuggled as unknown as GhlContactUpdate);
    expect(lastWrite()).toMatchObject({ method: 'PUT', path: `/contacts/${created.id}`, status: 200 });
    expect(lastWrite().body).toEqual({ lastName: 'Moe', customFields: [{ id: 'goal', field_value: 5 }] });
    expect(updated).toMatchObject({ firstName: 'Cy', lastName: 'Moe', tags: ['lead', 'vip'] });
    expect(updated.customFields).toEqual([{ id: 'goal', value: 5 }]);
    expect(updated.dateUpdated! > created.dateUpdated!).toBe(true);
    expect(updated.dateUpdated).toBe(ghl.contacts.get(created.id)!.dateUpdated);
  });

  it('adds and removes tags through the tag endpoints, and deletes', async () => {
    const client = clientFor(ghl);
    const created = await client.createContact({ email: 'di@example.com', tags: ['lead'] });
    expect(await client.addTags(created.id, ['vip'])).toEqual(['lead', 'vip']);
    expect(lastWrite()).toMatchObject({
      method: 'POST',
      path: `/contacts/${created.id}/tags`,
      body: { tags: ['vip'] },
    });
    expect(await client.removeTags(created.id, ['lead'])).toEqual(['vip']);
    expect(lastWrite()).toMatchObject({
      method: 'DELETE',
      path: `/contacts/${created.id}/tags`,
      body: { tags: ['lead'] },
    });
    await client.deleteContact(created.id);
    expect(lastWrite()).toMatchObject({ method: 'DELETE', path: `/contacts/${created.id}`, status: 200 });
    expect(await client.getContact(created.id)).toBeNull();
  });

  it('turns a duplicate create into DuplicateContactError naming the existing contact', async () => {
    const client = clientFor(ghl);
    const existing = await client.createContact({ email: 'ed@example.com', phone: '+12133734005' });
    const byEmail = await failureOf(client.createContact({ email: 'ed@example.com' }));
    expect(byEmail).toBeInstanceOf(DuplicateContactError);
    expect(byEmail).toMatchObject({ existingContactId: existing.id, matchingField: 'email' });
    const byPhone = await failureOf(client.createContact({ email: 'ed2@example.com', phone: '+12133734005' }));
    expect(byPhone).toMatchObject({ existingContactId: existing.id, matchingField: 'phone' });
    expect(classifyFailure(byPhone)).toEqual({ errorClass: 'DuplicateContact', retryable: false });
  });

  it('classifies refused writes: unknown property, other validation, and a 5xx update stays retryable', async () => {
    const picky = await GhlApiStandIn.start({ locationId: 'loc-client-picky' });
    try {
      const client = clientFor(picky);
      const created = await client.createContact({ email: 'fay@example.com' });
      picky.rejectField('firstName');
      const unknown = await failureOf(client.updateContact(created.id, { firstName: 'Fay' }));
      expect(unknown).toBeInstanceOf(UnknownPropertyError);
      expect((unknown as UnknownPropertyError).properties).toEqual(['firstName']);
      expect(classifyFailure(unknown)).toEqual({ errorClass: 'UnknownProperty', retryable: false });

      picky.failNextWrites(422, 503);
      const invalid = await failureOf(client.updateContact(created.id, { lastName: 'Oh' }));
      expect(invalid).toBeInstanceOf(UpstreamValidationError);
      expect(classifyFailure(invalid)).toEqual({ errorClass: 'UpstreamValidationFailed', retryable: false });
      const failing = await failureOf(client.updateContact(created.id, { lastName: 'Oh' }));
      expect(failing).toBeInstanceOf(GHLServerError);
      expect(classifyFailure(failing).retryable).toBe(true);
    } finally {
      await picky.stop();
    }
  });

  it('makes a create that times out CreateOutcomeUnknownError, and the stand-in did create it', async () => {
    const client = clientFor(ghl, 300);
    ghl.failNextWrites({ delayMs: 900 });
    const started = Date.now();
    const timedOut = await failureOf(client.createContact({ email: 'gus@example.com' }));
    expect(Date.now() - started).toBeLessThan(850);
    expect(timedOut).toBeInstanceOf(CreateOutcomeUnknownError);
    expect(classifyFailure(timedOut)).toEqual({ errorClass: 'CreateOutcomeUnknown', retryable: true });
    await new Promise((resolve) => setTimeout(resolve, 800));
    // What the worker does before any retry: look it up.
    const found = await client.findDuplicate({ email: 'gus@example.com' });
    expect(found?.id).toBe([...ghl.contacts.values()].find((contact) => contact.email === 'gus@example.com')!.id);

    ghl.answerCreatesLate = true;
    try {
      ghl.failNextWrites(503);
      expect(await failureOf(client.createContact({ email: 'hal@example.com' }))).toBeInstanceOf(
        CreateOutcomeUnknownError,
      );
      expect(await client.findDuplicate({ email: 'hal@example.com' })).not.toBeNull();
    } finally {
      ghl.answerCreatesLate = false;
    }
  });

  it('honours a 429 on a write, and the governor learns the limits from error answers too', async () => {
    const limited = await GhlApiStandIn.start({ locationId: 'loc-client-429', limits: { burst: 3, windowMs: 3_000 } });
    try {
      const client = clientFor(limited);
      limited.failNextWrites(400);
      expect(await failureOf(client.createContact({ email: 'ivy@example.com' }))).toBeInstanceOf(
        UpstreamValidationError,
      );
      const [learned] = await database.query<{ burst_max: number; interval_ms: number; daily_remaining: number }>(
        "SELECT burst_max, interval_ms, daily_remaining FROM ghl_sync.ghl_rate_limits WHERE location_id = 'loc-client-429'",
      );
      expect(learned).toEqual({ burst_max: 3, interval_ms: 3_000, daily_remaining: 199_999 });

      // Another client of the location spends the window, unknown to the governor: GHL answers 429.
      for (let index = 0; index < 2; index++) {
        await fetch(`${limited.url}/opportunities/pipelines`, {
          headers: { authorization: `Bearer ${limited.token}`, version: '2021-07-28' },
        });
      }
      await database.query(
        "UPDATE ghl_sync.ghl_rate_limits SET blocked_until = NULL, burst_max = 10 WHERE location_id = 'loc-client-429'",
      );
      const throttled = await failureOf(client.addTags('any', ['vip']));
      expect(throttled).toBeInstanceOf(RetryAfterError);
      expect((throttled as RetryAfterError).retryAfterSeconds).toBe(3);
      const [paused] = await database.query<{ blocked_for: number }>(
        "SELECT EXTRACT(EPOCH FROM blocked_until - now())::float AS blocked_for FROM ghl_sync.ghl_rate_limits WHERE location_id = 'loc-client-429'",
      );
      expect(paused!.blocked_for).toBeGreaterThan(2);
    } finally {
      await limited.stop();
    }
  });
});
