import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MetricsService } from '../../src/observability/metrics/metrics.service.js';
import { eventually, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SECRET = `sk_${randomBytes(12).toString('hex')}`;
const EMAIL = 'someone@example.com';
const QUERY_STRING = `?api_key=${SECRET}&email=${EMAIL}`;
const GRAPHQL_IN_URL = `&query=${encodeURIComponent(`{ contact(email: "${EMAIL}") { id } }`)}`;

/** What must never reach a log line, raw or percent-encoded. */
const FORBIDDEN = [SECRET, EMAIL, encodeURIComponent(EMAIL), 'api_key', 'query=', '?'];

function expectNoLeak(lines: Record<string, unknown>[]): void {
  for (const line of lines) {
    const text = JSON.stringify(line);
    for (const forbidden of FORBIDDEN) expect(text, text).not.toContain(forbidden);
  }
}

describe('request logs carry the path, never the query string', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase('request_logs');
    service = await startTestApp(database.url);
  });

  afterAll(async () => {
    await service.close();
    await database.drop();
  });

  const send = (correlationId: string, path: string, init: RequestInit = {}) =>
    fetch(`${service.url}${path}`, {
      ...init,
      headers: { 'x-correlation-id': correlationId, ...(init.headers as Record<string, string>) },
    });

  /** The one request line pino-http wrote for the request. */
  const requestLineOf = (correlationId: string) =>
    eventually(
      () =>
        Promise.resolve(
          service.logs
            .withCorrelationId(correlationId)
            .find((line) => typeof line.msg === 'string' && line.msg.startsWith('request ')),
        ),
      5_000,
      `the request line of ${correlationId}`,
    );

  it.each([
    ['GET /graphql with a key', 'get-graphql-key', 'GET', '/graphql', GRAPHQL_IN_URL, true],
    ['GET /graphql without a key', 'get-graphql-anon', 'GET', '/graphql', GRAPHQL_IN_URL, false],
    ['POST /graphql', 'post-graphql', 'POST', '/graphql', '', true],
    ['POST /webhooks/ghl', 'post-webhook', 'POST', '/webhooks/ghl', '', false],
    ['an unknown path', 'unknown-path', 'GET', '/no-such-page', '', false],
  ])('%s', async (_, correlationId, method, path, extra, withKey) => {
    const response = await send(correlationId, `${path}${QUERY_STRING}${extra}`, {
      method,
      headers: {
        ...(withKey && { authorization: `Bearer ${TEST_API_KEY}` }),
        ...(method === 'POST' && { 'content-type': 'application/json' }),
      },
      body: method === 'POST' ? JSON.stringify({ query: '{ syncStatus { queueDepth } }' }) : undefined,
    });
    await response.arrayBuffer();

    const line = await requestLineOf(correlationId);
    expect(line).toMatchObject({ msg: 'request completed', res: { statusCode: response.status } });
    expect(line.req).toEqual({ method, path });
    expectNoLeak(service.logs.withCorrelationId(correlationId));
  });

  it('GET /health/live (not logged per request) leaks nothing either', async () => {
    const response = await send('health-live', `/health/live${QUERY_STRING}`);
    expect(response.status).toBe(200);
    expectNoLeak(service.logs.withCorrelationId('health-live'));
  });

  it('a failing request: the error line and Nest exception log carry the path only', async () => {
    const metrics = service.app.get(MetricsService);
    vi.spyOn(metrics.registry, 'metrics').mockRejectedValueOnce(new Error('scrape failed'));
    const response = await send('failing-metrics', `/metrics${QUERY_STRING}`);
    expect(response.status).toBe(500);

    const line = await requestLineOf('failing-metrics');
    expect(line).toMatchObject({ level: 'error', msg: 'request errored', req: { method: 'GET', path: '/metrics' } });
    expect(service.logs.withCorrelationId('failing-metrics')).toContainEqual(
      expect.objectContaining({ level: 'error', context: 'ExceptionsHandler', msg: 'scrape failed' }),
    );
    expectNoLeak(service.logs.withCorrelationId('failing-metrics'));
  });

  it('a request the client abandons mid-body: the aborted line carries the path only', async () => {
    const socket = connect(Number(new URL(service.url).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /webhooks/ghl${QUERY_STRING} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
        'Content-Length: 1000\r\nX-Correlation-Id: abandoned-body\r\n\r\n{"type":',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();

    const line = await requestLineOf('abandoned-body');
    expect(line).toMatchObject({
      level: 'warn',
      msg: 'request aborted',
      req: { method: 'POST', path: '/webhooks/ghl' },
    });
    expectNoLeak(service.logs.withCorrelationId('abandoned-body'));
  });

  it('no log line of the whole run holds the secret, the email or any query string', () => {
    expect(service.logs.lines.length).toBeGreaterThan(0);
    expectNoLeak(service.logs.lines);
  });
});
