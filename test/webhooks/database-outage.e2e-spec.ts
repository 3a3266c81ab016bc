import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresServer } from '../../src/database/embedded/embedded-postgres.server.js';
import { createRootLogger } from '../../src/observability/logging/root-logger.js';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { CapturedLogs, eventually, startTestApp, type TestApp } from '../support/test-app.js';

const DATABASE = 'outage';

/** A Postgres server of this test's own, so it can be stopped and started again on the same port. */
describe('webhooks while the Postgres server is stopped', () => {
  const ghl = new GhlStandIn();
  const logger = createRootLogger('silent', new CapturedLogs());
  let dataDir: string;
  let server: EmbeddedPostgresServer | undefined;
  let service: TestApp;

  const startServer = async () => {
    server = await EmbeddedPostgresServer.start({ dataDir, logger, database: DATABASE });
    return server;
  };
  const query = async <T>(sql: string, values: unknown[] = []): Promise<T[]> => {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: server!.urlFor(DATABASE) });
    await client.connect();
    try {
      return (await client.query(sql, values)).rows as T[];
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'trainu-outage-'));
    chmodSync(dataDir, 0o755);
    service = await startTestApp((await startServer()).urlFor(DATABASE), ghl.env());
  });

  afterAll(async () => {
    await service?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 429 (never 5xx) while the server is down, then accepts the same delivery once, after it is back', async () => {
    const before = ghl.contactEvent('ContactCreate');
    expect((await ghl.deliver(service.url, before)).status).toBe(200);

    const event = ghl.contactEvent('ContactCreate');
    await server!.stop();
    server = undefined;
    const refused = await Promise.all([1, 2, 3].map(() => ghl.deliver(service.url, event)));
    expect(refused.map((response) => response.status)).toEqual([429, 429, 429]);
    expect(refused[0]!.headers.get('retry-after')).toBe('60');
    expect(await refused[0]!.json()).toMatchObject({
      statusCode: 429,
      error: 'TEMPORARILY_UNAVAILABLE',
      message: 'the delivery could not be stored right now; retry later',
    });
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    expect(service.logs.lines).toContainEqual(
      expect.objectContaining({ msg: 'could not store a webhook delivery; answering 429 so GHL retries' }),
    );

    await startServer();
    const outcome = await eventually(async () => {
      const response = await ghl.deliver(service.url, event);
      return response.status === 200 ? ((await response.json()) as { outcome: string }).outcome : undefined;
    });
    expect(outcome).toBe('accepted');
    expect(((await (await ghl.deliver(service.url, event)).json()) as { outcome: string }).outcome).toBe('duplicate');

    const row = await eventually(async () => {
      const [found] = await query<{ id: string; outcome: string; attempts: number; processed_at: Date | null }>(
        'SELECT * FROM ghl_sync.sync_events WHERE object_id = $1',
        [event.id],
      );
      return found?.processed_at ? found : undefined;
    });
    expect(row).toMatchObject({ outcome: 'APPLIED', attempts: 1 });
    const [jobs] = await query<{ count: string }>("SELECT count(*) FROM pgboss.job WHERE data->>'eventId' = $1", [
      row.id,
    ]);
    expect(jobs!.count).toBe('1');
    const contacts = await query<{ email: string }>('SELECT email FROM contacts WHERE ghl_contact_id = $1', [event.id]);
    expect(contacts).toEqual([{ email: (event.email as string).toLowerCase() }]);
  });
});
