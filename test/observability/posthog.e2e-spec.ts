import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyFreePort } from '../../src/database/embedded/free-port.js';
import { InboxService } from '../../src/inbox/inbox.service.js';
import { failContactWrites, installContactFailures } from '../support/failure-injection.js';
import { ghlId, GhlStandIn } from '../support/ghl-stand-in.js';
import { processedInboxRow } from '../support/inbox.js';
import { PostHogCapture } from '../support/posthog-capture.js';
import { eventually, startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('PostHog sync events', () => {
  const ghl = new GhlStandIn();
  let database: TestDatabase;
  let capture: PostHogCapture;

  beforeAll(async () => {
    database = await createTestDatabase('posthog');
    capture = await PostHogCapture.start();
  });

  afterAll(async () => {
    await capture.stop();
    await database.drop();
  });

  it('sends sync_ok, sync_retry and sync_dropped with ids and types, never PII, and flushes them at shutdown', async () => {
    const service = await startTestApp(database.url, {
      ...ghl.env(),
      POSTHOG_API_KEY: 'phc_test_key',
      POSTHOG_HOST: capture.url,
      SYNC_RETRY_DELAYS: '1',
    });
    await installContactFailures(database);
    const person = {
      email: 'secret.person@example.com',
      phone: '+12133734253',
      firstName: 'Secretfirst',
      lastName: 'Secretlast',
    };

    const applied = ghl.contactEvent('ContactCreate', person);
    await ghl.deliver(service.url, applied, { headers: { 'x-correlation-id': 'ph-applied' } });
    await processedInboxRow(database, { objectId: applied.id as string });
    await ghl.deliver(service.url, applied, { headers: { 'x-correlation-id': 'ph-duplicate' } });

    const flaky = ghl.contactEvent('ContactCreate', { ...person, email: 'other.secret@example.com' });
    await failContactWrites(database, flaky.id as string, 1);
    await ghl.deliver(service.url, flaky, { headers: { 'x-correlation-id': 'ph-flaky' } });
    await eventually(async () => {
      const row = await processedInboxRow(database, { objectId: flaky.id as string });
      return row.outcome === 'APPLIED' ? row : undefined;
    });

    await service.app.get(InboxService).accept({
      idempotencyKey: `ph-${ghlId()}`,
      type: 'ContactUpdate',
      locationId: ghl.locationId,
      correlationId: 'ph-dropped',
      payload: { type: 'ContactUpdate', id: ghlId(), locationId: ghl.locationId, timestamp: 'yesterday' },
    });
    await eventually(async () =>
      (await database.query("SELECT id FROM ghl_sync.sync_dead_letters WHERE correlation_id = 'ph-dropped'")).length > 0
        ? true
        : undefined,
    );
    await service.close();

    const byCorrelation = (id: string) => capture.events.filter((event) => event.properties.correlation_id === id);
    const common = { object_type: 'contact', location_id: ghl.locationId };
    expect(byCorrelation('ph-applied')).toEqual([
      expect.objectContaining({
        event: 'sync_ok',
        properties: expect.objectContaining({ ...common, outcome: 'applied', event_type: 'ContactCreate' }) as object,
      }),
    ]);
    expect(byCorrelation('ph-duplicate')).toEqual([
      expect.objectContaining({
        event: 'sync_ok',
        properties: expect.objectContaining({ ...common, outcome: 'duplicate' }) as object,
      }),
    ]);
    expect(byCorrelation('ph-flaky').map((event) => event.event)).toEqual(['sync_retry', 'sync_ok']);
    expect(byCorrelation('ph-flaky')[0]!.properties).toMatchObject({
      ...common,
      attempt: 2,
      delay_seconds: 1,
      error_class: 'Unexpected',
    });
    expect(byCorrelation('ph-dropped')).toEqual([
      expect.objectContaining({
        event: 'sync_dropped',
        properties: expect.objectContaining({
          ...common,
          reason: 'dead_lettered',
          error_class: 'InvalidPayload',
        }) as object,
      }),
    ]);
    const everything = capture.rawBodies.join('\n');
    for (const value of [...Object.values(person), 'other.secret@example.com']) expect(everything).not.toContain(value);
  });

  it('keeps syncing, and shuts down promptly, when PostHog cannot be reached', async () => {
    const service = await startTestApp(database.url, {
      ...ghl.env(),
      POSTHOG_API_KEY: 'phc_test_key',
      // A port nothing listens on: every send is refused.
      POSTHOG_HOST: `http://127.0.0.1:${await anyFreePort()}`,
    });
    const event = ghl.contactEvent('ContactCreate');
    const response = await ghl.deliver(service.url, event);
    expect(response.status).toBe(200);
    expect((await processedInboxRow(database, { objectId: event.id as string })).outcome).toBe('APPLIED');
    const started = Date.now();
    await service.close();
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
