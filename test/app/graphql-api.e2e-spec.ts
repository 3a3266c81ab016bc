import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiKeyVerifier } from '../../src/graphql/api-key.verifier.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SYNC_STATUS =
  '{ syncStatus { queueDepth deadLettersOpen lastWebhookAt lastBackfillAt eventsProcessedLastHour } }';

describe('GraphQL read API', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase('graphql');
    service = await startTestApp(database.url, {
      GRAPHQL_API_KEYS: 'reporting-key-0123456789,second-key-0123456789',
      SERVICE_ROLE: 'api',
    });
  });

  afterAll(async () => {
    await service.close();
    await database.drop();
  });

  it.each([
    ['no Authorization header', null],
    ['a wrong key', 'reporting-key-0123456789-wrong'],
    ['an empty key', ''],
  ])('refuses a request with %s: UNAUTHENTICATED, 401 and no data', async (_, apiKey) => {
    const response = await service.graphql(SYNC_STATUS, { apiKey });
    expect(response.status).toBe(401);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('data');
    expect(body.errors).toEqual([
      {
        message: 'A valid API key is required: send "Authorization: Bearer <key>".',
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ]);
  });

  it('refuses introspection without a key too', async () => {
    const response = await service.graphql('{ __schema { queryType { name } } }', { apiKey: null });
    expect(response.status).toBe(401);
    expect(await response.json()).not.toHaveProperty('data');
  });

  it('accepts every configured key', async () => {
    for (const apiKey of ['reporting-key-0123456789', 'second-key-0123456789']) {
      const response = await service.graphql('{ syncStatus { queueDepth } }', { apiKey });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { syncStatus: { queueDepth: 0 } } });
    }
  });

  it('syncStatus reports what is in the database', async () => {
    const empty = await service.graphql(SYNC_STATUS, { apiKey: 'reporting-key-0123456789' });
    expect(await empty.json()).toEqual({
      data: {
        syncStatus: {
          queueDepth: 0,
          deadLettersOpen: 0,
          lastWebhookAt: null,
          lastBackfillAt: null,
          eventsProcessedLastHour: 0,
        },
      },
    });

    await database.query(`
      INSERT INTO ghl_sync.sync_events (idempotency_key, type, correlation_id, received_at, processed_at, outcome) VALUES
        ('k1', 'ContactCreate', 'c1', '2026-11-28T10:00:00Z', now() - interval '10 minutes', 'APPLIED'),
        ('k2', 'ContactUpdate', 'c2', '2026-11-28T11:30:00.250Z', now() - interval '59 minutes', 'STALE'),
        ('k3', 'ContactUpdate', 'c3', '2026-11-28T09:00:00Z', now() - interval '2 hours', 'APPLIED'),
        ('k4', 'ContactDelete', 'c4', '2026-11-28T08:00:00Z', NULL, 'PENDING')`);
    await database.query(`
      INSERT INTO ghl_sync.sync_dead_letters (queue, payload, error_class, reason, playbook, attempts, status, first_failed_at, last_failed_at) VALUES
        ('q', '{}', 'E', 'r', 'p', 6, 'OPEN', now(), now()),
        ('q', '{}', 'E', 'r', 'p', 6, 'OPEN', now(), now()),
        ('q', '{}', 'E', 'r', 'p', 6, 'DISCARDED', now(), now())`);
    await database.query(`
      INSERT INTO ghl_sync.sync_cursors (location_id, object, last_completed_at) VALUES
        ('loc', 'contacts', '2026-11-27T03:00:00Z'), ('loc', 'opportunities', '2026-11-28T03:05:00Z'), ('loc', 'pipelines', NULL)`);

    const response = await service.graphql(SYNC_STATUS, { apiKey: 'second-key-0123456789' });
    expect(await response.json()).toEqual({
      data: {
        syncStatus: {
          queueDepth: 0,
          deadLettersOpen: 2,
          lastWebhookAt: '2026-11-28T11:30:00.250Z',
          lastBackfillAt: '2026-11-28T03:05:00.000Z',
          eventsProcessedLastHour: 2,
        },
      },
    });
  });

  describe('refuses queries in URLs', () => {
    const inUrl = `/graphql?query=${encodeURIComponent('{ syncStatus { queueDepth } }')}`;

    it.each([
      ['GET with a key', 'GET', 'reporting-key-0123456789'],
      ['GET without a key', 'GET', null],
      ['HEAD with a key', 'HEAD', 'reporting-key-0123456789'],
    ])('%s: 405, Allow: POST, before Apollo reads the request', async (_, method, apiKey) => {
      const verify = vi.spyOn(ApiKeyVerifier.prototype, 'isAuthorized');
      try {
        const response = await fetch(`${service.url}${inUrl}`, {
          method,
          headers: {
            // Gets a GET past Apollo's CSRF prevention, so Apollo would run it if it saw it.
            'apollo-require-preflight': 'true',
            'x-correlation-id': `graphql-${method}-${apiKey === null ? 'anon' : 'key'}`,
            ...(apiKey !== null && { authorization: `Bearer ${apiKey}` }),
          },
        });
        expect(response.status).toBe(405);
        expect(response.headers.get('allow')).toBe('POST');
        if (method === 'GET') {
          expect(await response.json()).toEqual({
            statusCode: 405,
            error: 'Method Not Allowed',
            message: expect.stringContaining('POST /graphql with a JSON body') as string,
          });
        }
        // Apollo builds the context (and so checks the key) for every request it handles.
        expect(verify).not.toHaveBeenCalled();
        expect(
          service.logs.withCorrelationId(`graphql-${method}-${apiKey === null ? 'anon' : 'key'}`).at(-1),
        ).toMatchObject({ msg: 'request completed', req: { method, path: '/graphql' }, res: { statusCode: 405 } });
      } finally {
        verify.mockRestore();
      }
    });

    it('still answers POST, and its 401 without a key', async () => {
      const verify = vi.spyOn(ApiKeyVerifier.prototype, 'isAuthorized');
      try {
        const accepted = await service.graphql('{ syncStatus { queueDepth } }', { apiKey: 'second-key-0123456789' });
        expect(await accepted.json()).toEqual({ data: { syncStatus: { queueDepth: 0 } } });
        expect((await service.graphql('{ syncStatus { queueDepth } }', { apiKey: null })).status).toBe(401);
        expect(verify).toHaveBeenCalledTimes(2);
      } finally {
        verify.mockRestore();
      }
    });
  });

  it('answers a malformed query with a GraphQL error, not a crash', async () => {
    const response = await service.graphql('{ syncStatus { nope } }', { apiKey: 'second-key-0123456789' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]).toMatchObject({
      message: 'Cannot query field "nope" on type "SyncStatus".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });
});
