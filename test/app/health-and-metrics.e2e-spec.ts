import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bringDatabaseOnline,
  createTestDatabase,
  takeDatabaseOffline,
  type TestDatabase,
} from '../support/test-database.js';
import { eventually, startTestApp, type TestApp } from '../support/test-app.js';

describe('health, metrics and correlation ids over HTTP', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase('health');
    service = await startTestApp(database.url);
  });

  afterAll(async () => {
    await service.close();
    await database.drop();
  });

  it('GET /health/live answers while the process runs', async () => {
    const response = await fetch(`${service.url}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('GET /health/ready checks the database and the queue', async () => {
    const response = await fetch(`${service.url}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      details: { database: { status: 'up' }, queue: { status: 'up' } },
    });
  });

  it('GET /health/ready answers 503 naming the part that is down, and recovers with it', async () => {
    await takeDatabaseOffline(database.name);
    try {
      const response = await fetch(`${service.url}/health/ready`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as {
        status: string;
        error: Record<string, { status: string; message: string }>;
      };
      expect(body.status).toBe('error');
      expect(body.error.database).toMatchObject({ status: 'down' });
      expect(body.error.database!.message).not.toBe('');
      // The liveness probe must not follow the database down: restarting the process would not help.
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    } finally {
      await bringDatabaseOnline(database.name);
    }
    await eventually(
      async () => ((await fetch(`${service.url}/health/ready`)).status === 200 ? true : undefined),
      20_000,
      'ready again',
    );
  });

  it('GET /metrics serves Prometheus text with HTTP and sync gauges', async () => {
    await fetch(`${service.url}/health/live`);
    await fetch(`${service.url}/no-such-page`);
    const response = await fetch(`${service.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/^# HELP http_requests_total /m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/health\/live",status="200"\} [1-9]\d*$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]\d*$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0.1",method="GET",route="\/health\/live"\} \d+$/m);
    expect(text).toMatch(/^sync_queue_depth 0$/m);
    expect(text).toMatch(/^sync_dead_letters_open 0$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('returns the caller correlation id and puts it on every log line of the request', async () => {
    const response = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'trace-abc-123' },
      body: JSON.stringify({ query: '{ syncStatus { queueDepth } }' }),
    });
    expect(response.headers.get('x-correlation-id')).toBe('trace-abc-123');
    const lines = service.logs.withCorrelationId('trace-abc-123');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.at(-1)).toMatchObject({ msg: 'request completed', res: { statusCode: 401 } });
  });

  it('generates a correlation id when none (or an unusable one) is given', async () => {
    const plain = await fetch(`${service.url}/metrics`);
    const forged = await fetch(`${service.url}/metrics`, { headers: { 'x-correlation-id': 'a b\tc' } });
    const ids = [plain.headers.get('x-correlation-id'), forged.headers.get('x-correlation-id')];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
    expect(service.logs.withCorrelationId(ids[0]!)).toHaveLength(1);
  });

  it('writes structured JSON with a level, a time and the service name', () => {
    const line = service.logs.lines.find(
      (entry) => entry.msg === 'request completed' && (entry.res as { statusCode: number }).statusCode === 200,
    )!;
    expect(line).toMatchObject({ level: 'info', service: 'trainu-ghl-sync' });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });
});
