import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { inboxRow, jobsForEvent, processedInboxRow } from '../support/inbox.js';
import { eventually, startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Refusal {
  statusCode: number;
  error: string;
  message: string;
  field?: string;
}

describe('POST /webhooks/ghl', () => {
  const ghl = new GhlStandIn();
  let database: TestDatabase;
  let service: TestApp;

  const count = async (sql: string, values: unknown[] = []) =>
    Number((await database.query<{ count: string }>(`SELECT count(*) FROM ${sql}`, values))[0]!.count);
  const inboxRowOf = (objectId: string) => inboxRow(database, { objectId });
  const processedRowOf = (objectId: string) => processedInboxRow(database, { objectId });
  const jobsFor = (eventId: string) => jobsForEvent(database, eventId);

  beforeAll(async () => {
    database = await createTestDatabase('webhooks');
    service = await startTestApp(database.url, ghl.env());
  });

  afterAll(async () => {
    await service.close();
    await database.drop();
  });

  it('accepts an Ed25519-signed delivery after storing it, and processes it with the caller correlation id', async () => {
    const event = ghl.contactEvent('ContactCreate');
    const response = await ghl.deliver(service.url, event, { headers: { 'x-correlation-id': 'ghl-delivery-1' } });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ outcome: 'accepted' });
    expect(response.headers.get('x-correlation-id')).toBe('ghl-delivery-1');
    const processed = await processedRowOf(event.id as string);
    expect(processed).toMatchObject({ outcome: 'APPLIED', attempts: 1, correlation_id: 'ghl-delivery-1' });
    expect(await count('contacts WHERE ghl_contact_id = $1', [event.id])).toBe(1);
    expect(service.logs.withCorrelationId('ghl-delivery-1')).toContainEqual(
      expect.objectContaining({ msg: 'inbound event processed', outcome: 'APPLIED', eventType: 'ContactCreate' }),
    );
  });

  it('accepts the legacy RSA signature (x-wh-signature) when no Ed25519 one is sent', async () => {
    const event = ghl.contactEvent('ContactUpdate');
    const response = await ghl.deliver(service.url, event, { scheme: 'rsa' });
    expect(response.status).toBe(200);
    expect(await inboxRowOf(event.id as string)).toBeDefined();
  });

  it('does not fall back to the RSA signature when the Ed25519 one is wrong', async () => {
    const event = ghl.contactEvent('ContactUpdate');
    const body = JSON.stringify(event);
    const response = await ghl.deliver(service.url, body, {
      scheme: 'none',
      headers: {
        'x-ghl-signature': ghl.signatureHeaders('something else')['x-ghl-signature']!,
        'x-wh-signature': ghl.signatureHeaders(body, 'rsa')['x-wh-signature']!,
      },
    });
    expect(response.status).toBe(401);
    expect(await inboxRowOf(event.id as string)).toBeUndefined();
  });

  describe('refuses bad input with a status and a reason, and stores nothing', () => {
    const stale = new Date(Date.now() - 10 * 60_000).toISOString();
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    const cases: [string, () => Promise<Response>, number, Partial<Refusal>][] = [
      [
        'no signature',
        () => ghl.deliver(service.url, ghl.contactEvent('ContactCreate'), { scheme: 'none' }),
        401,
        { error: 'SIGNATURE_INVALID', message: expect.stringContaining('missing signature') as string },
      ],
      [
        'a signature over other bytes',
        () => ghl.deliver(service.url, ghl.contactEvent('ContactCreate'), { signBytes: '{}' }),
        401,
        { error: 'SIGNATURE_INVALID', message: 'x-ghl-signature does not match the body' },
      ],
      [
        'a signature that is not base64 of the right length',
        () =>
          ghl.deliver(service.url, ghl.contactEvent('ContactCreate'), {
            scheme: 'none',
            headers: { 'x-ghl-signature': 'bm9wZQ==' },
          }),
        401,
        { error: 'SIGNATURE_INVALID' },
      ],
      [
        'a timestamp 10 minutes old',
        () => ghl.deliver(service.url, ghl.contactEvent('ContactCreate', { timestamp: stale })),
        401,
        { error: 'TIMESTAMP_OUTSIDE_WINDOW', message: expect.stringContaining('outside the 300 s window') as string },
      ],
      [
        'a timestamp 10 minutes ahead',
        () => ghl.deliver(service.url, ghl.contactEvent('ContactCreate', { timestamp: future })),
        401,
        { error: 'TIMESTAMP_OUTSIDE_WINDOW' },
      ],
      [
        'a malformed timestamp',
        () => ghl.deliver(service.url, ghl.contactEvent('ContactCreate', { timestamp: '29/11/2026 10:00' })),
        400,
        { error: 'PAYLOAD_INVALID', field: 'timestamp' },
      ],
      [
        'a numeric timestamp',
        () => ghl.deliver(service.url, ghl.contactEvent('ContactCreate', { timestamp: Date.now() })),
        400,
        { error: 'PAYLOAD_INVALID', field: 'timestamp' },
      ],
      ['malformed JSON', () => ghl.deliver(service.url, '{"type":"ContactCreate","id":'), 400, {}],
      ['a JSON array', () => ghl.deliver(service.url, '[]'), 400, { error: 'PAYLOAD_INVALID', field: '(body)' }],
      [
        'no id',
        () => ghl.deliver(service.url, ghl.contactEvent('ContactCreate', { id: undefined })),
        400,
        { error: 'PAYLOAD_INVALID', field: 'id', message: expect.stringContaining('id must be a string') as string },
      ],
      [
        'a type that is not a string',
        () => ghl.deliver(service.url, ghl.contactEvent('ContactCreate', { type: 42 })),
        400,
        { error: 'PAYLOAD_INVALID', field: 'type', message: 'type must be a string' },
      ],
      [
        'an empty type',
        () => ghl.deliver(service.url, ghl.contactEvent('ContactCreate', { type: '' })),
        400,
        { error: 'PAYLOAD_INVALID', field: 'type' },
      ],
      [
        'tags that are not strings',
        () => ghl.deliver(service.url, ghl.contactEvent('ContactTagUpdate', { tags: ['ok', 7] })),
        400,
        { error: 'PAYLOAD_INVALID', field: 'tags' },
      ],
      [
        'a custom field without id',
        () => ghl.deliver(service.url, ghl.contactEvent('ContactUpdate', { customFields: [{ value: 'x' }] })),
        400,
        { error: 'PAYLOAD_INVALID', field: 'customFields.0.id' },
      ],
      [
        'a 2 MiB body',
        () => ghl.deliver(service.url, ghl.contactEvent('ContactCreate', { notes: 'x'.repeat(2 * 1024 * 1024) })),
        413,
        {},
      ],
      [
        'a text/plain body',
        () =>
          ghl.deliver(service.url, JSON.stringify(ghl.contactEvent('ContactCreate')), {
            headers: { 'content-type': 'text/plain' },
          }),
        400,
        { error: 'NOT_JSON' },
      ],
      [
        'no Content-Type',
        () =>
          fetch(`${service.url}/webhooks/ghl`, {
            method: 'POST',
            body: new Blob([JSON.stringify(ghl.contactEvent('ContactCreate'))]),
          }),
        415,
        {},
      ],
    ];

    it.each(cases)('%s', async (_name, send, status, refusal) => {
      // Deliveries accepted by earlier tests must be processed first, or their contacts would appear meanwhile.
      await eventually(async () =>
        (await count("ghl_sync.sync_events WHERE outcome = 'PENDING'")) === 0 ? true : undefined,
      );
      const before = await count('ghl_sync.sync_events');
      const contactsBefore = await count('contacts');
      const response = await send();
      expect(response.status).toBe(status);
      const body = (await response.json()) as Refusal;
      expect(body.statusCode).toBe(status);
      expect(body).toMatchObject(refusal);
      expect(body.message).toEqual(expect.any(String));
      expect(await count('ghl_sync.sync_events')).toBe(before);
      expect(await count('contacts')).toBe(contactsBefore);
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    });

    it('logs each refusal with the delivery correlation id and reason', async () => {
      await ghl.deliver(service.url, ghl.contactEvent('ContactCreate'), {
        scheme: 'none',
        headers: { 'x-correlation-id': 'refused-1' },
      });
      expect(service.logs.withCorrelationId('refused-1')).toContainEqual(
        expect.objectContaining({ msg: 'webhook delivery refused', code: 'SIGNATURE_INVALID' }),
      );
    });
  });

  it('records event types it does not sync as IGNORED, answers 200, and queues nothing', async () => {
    const note = {
      type: 'NoteCreate',
      locationId: ghl.locationId,
      id: 'note-1',
      body: 'hi',
      contactId: 'c',
      timestamp: new Date().toISOString(),
    };
    const response = await ghl.deliver(service.url, note);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ outcome: 'ignored' });
    const row = await inboxRowOf('note-1');
    expect(row).toMatchObject({ outcome: 'IGNORED', attempts: 0 });
    expect(row!.processed_at).toBeInstanceOf(Date);
    expect(await jobsFor(row!.id)).toBe(0);
  });

  it('takes the same delivery 20 times at once: 20 × 200, one row, one job, one processing', async () => {
    const event = ghl.contactEvent('ContactCreate');
    const responses = await Promise.all(Array.from({ length: 20 }, () => ghl.deliver(service.url, event)));
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    const outcomes = await Promise.all(
      responses.map(async (response) => ((await response.json()) as { outcome: string }).outcome),
    );
    expect(outcomes.sort()).toEqual(['accepted', ...Array<string>(19).fill('duplicate')]);

    const row = await processedRowOf(event.id as string);
    expect(await count('ghl_sync.sync_events WHERE object_id = $1', [event.id])).toBe(1);
    expect(await jobsFor(row.id)).toBe(1);
    expect(row.attempts).toBe(1);
    expect(await count('contacts WHERE ghl_contact_id = $1', [event.id])).toBe(1);
  });

  it('without webhookId, dedupes on type, id and timestamp', async () => {
    const event = ghl.contactEvent('ContactUpdate', { webhookId: undefined });
    const first = await ghl.deliver(service.url, event);
    const again = await ghl.deliver(service.url, { ...event, source: 'reordered keys change the bytes, not the key' });
    expect(await first.json()).toEqual({ outcome: 'accepted' });
    expect(await again.json()).toEqual({ outcome: 'duplicate' });
    const [row] = await database.query<{ idempotency_key: string }>(
      'SELECT idempotency_key FROM ghl_sync.sync_events WHERE object_id = $1',
      [event.id],
    );
    expect(row!.idempotency_key).toBe(`ContactUpdate:${event.id as string}:${event.timestamp as string}`);
  });

  describe('WEBHOOK_IP_ALLOWLIST', () => {
    let guarded: TestApp;
    beforeAll(async () => {
      guarded = await startTestApp(database.url, {
        ...ghl.env(),
        SERVICE_ROLE: 'api',
        WEBHOOK_IP_ALLOWLIST: '10.0.0.0/8,192.0.2.7',
        WEBHOOK_CLIENT_IP_HEADER: 'x-forwarded-for',
      });
    });
    afterAll(() => guarded.close());

    it.each([
      ['the proxy-added address is in a listed range', '203.0.113.9, 10.1.2.3', 200],
      ['the proxy-added address is a listed address', '192.0.2.7', 200],
      ['only a client-claimed address is listed', '10.1.2.3, 203.0.113.9', 403],
      ['no header: the socket address 127.0.0.1 is not listed', undefined, 403],
    ])('%s → %i', async (_name, forwardedFor, status) => {
      const event = ghl.contactEvent('ContactUpdate');
      const response = await ghl.deliver(guarded.url, event, {
        headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
      });
      expect(response.status).toBe(status);
      expect(Boolean(await inboxRowOf(event.id as string))).toBe(status === 200);
      if (status === 403) expect(await response.json()).toMatchObject({ error: 'SOURCE_NOT_ALLOWED' });
    });
  });
});
