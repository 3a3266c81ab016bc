import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAppConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { DatabaseModule } from '../../src/database/database.module.js';
import { PrismaService, type PrismaTransaction, type SqlClient } from '../../src/database/prisma.service.js';
import type { InboundEvent } from '../../src/inbox/inbound-event.js';
import { InboxRepository } from '../../src/inbox/inbox.repository.js';
import { InboxService } from '../../src/inbox/inbox.service.js';
import { InboxRetentionProcessor } from '../../src/inbox/inbox-retention.processor.js';
import { LoggingModule } from '../../src/observability/logging/logging.module.js';
import { createRootLogger } from '../../src/observability/logging/root-logger.js';
import { QUEUES } from '../../src/queue/queue.constants.js';
import { AnalyticsModule } from '../../src/observability/analytics/analytics.module.js';
import { QueueModule } from '../../src/queue/queue.module.js';
import { QueueService } from '../../src/queue/queue.service.js';
import { inboxRow, jobsForEvent, processedInboxRow } from '../support/inbox.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { CapturedLogs, startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app.js';

/** An event of a type no domain handler takes (notes are not synced), so processing ends IGNORED. */
function noteEvent(key: string, correlationId = `corr-${key}`): InboundEvent {
  return {
    idempotencyKey: key,
    type: 'NoteCreate',
    locationId: 'loc-1',
    objectId: `note-${key}`,
    correlationId,
    payload: { type: 'NoteCreate', id: `note-${key}`, locationId: 'loc-1' },
  };
}

describe('inbox and queue', () => {
  let database: TestDatabase;
  const started: TestApp[] = [];

  const inboxRowOf = (key: string) => inboxRow(database, { idempotencyKey: key });
  const processedRow = (key: string) => processedInboxRow(database, { idempotencyKey: key });
  const jobCount = async (key: string) => jobsForEvent(database, (await inboxRowOf(key))?.id ?? '');
  const start = async (env: Record<string, string> = {}) => {
    const app = await startTestApp(database.url, env);
    started.push(app);
    return app;
  };

  beforeAll(async () => {
    database = await createTestDatabase('inbox');
  });

  afterAll(async () => {
    await Promise.all(started.map((app) => app.close()));
    await database.drop();
  });

  describe('with SERVICE_ROLE=all', () => {
    let service: TestApp;
    beforeAll(async () => {
      service = await start();
    });
    // Its workers would otherwise process the events the role tests below expect to stay queued.
    afterAll(() => service.close());

    it('records an event, enqueues it and processes it; types nobody handles yet end IGNORED', async () => {
      const result = await service.app.get(InboxService).accept(noteEvent('e1', 'corr-e1'));
      expect(result.duplicate).toBe(false);

      const row = await processedRow('e1');
      expect(row).toMatchObject({ outcome: 'IGNORED', attempts: 1, correlation_id: 'corr-e1' });
      expect(await jobCount('e1')).toBe(1);

      const jobLines = service.logs.withCorrelationId('corr-e1');
      expect(jobLines).toContainEqual(
        expect.objectContaining({
          msg: 'inbound event processed',
          outcome: 'IGNORED',
          queue: QUEUES.inboundEvents,
          eventType: 'NoteCreate',
        }),
      );
    });

    it('changes nothing for a repeated idempotency key', async () => {
      const inbox = service.app.get(InboxService);
      const first = await inbox.accept(noteEvent('e2'));
      const second = await inbox.accept({ ...noteEvent('e2'), payload: { changed: true } });
      expect(first.duplicate).toBe(false);
      expect(second).toEqual({ duplicate: true });
      // The relay enqueues the row's job (ADR 0017): once processed, it has had its one job.
      await processedRow('e2');
      expect(await jobCount('e2')).toBe(1);
      const [payload] = await database.query<{ payload: unknown }>(
        "SELECT payload FROM ghl_sync.sync_events WHERE idempotency_key = 'e2'",
      );
      expect(payload!.payload).toEqual(noteEvent('e2').payload);
    });

    it('keeps one row and one job when the same event arrives 20 times at once, and counts the 19 others', async () => {
      const inbox = service.app.get(InboxService);
      const duplicatesCounted = async () => {
        const [row] = await database.query<{ deliveries: number }>(
          "SELECT COALESCE(sum(deliveries), 0)::int AS deliveries FROM ghl_sync.intake_duplicates WHERE location_id = 'loc-1' AND type = 'NoteCreate'",
        );
        return row!.deliveries;
      };
      const before = await duplicatesCounted();
      const results = await Promise.all(Array.from({ length: 20 }, () => inbox.accept(noteEvent('e3'))));
      expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
      const rows = await database.query("SELECT id FROM ghl_sync.sync_events WHERE idempotency_key = 'e3'");
      expect(rows).toHaveLength(1);
      // Whether they came in one statement or several: the console's duplicate series (per minute).
      expect((await duplicatesCounted()) - before).toBe(19);
      await processedRow('e3');
      expect(await jobCount('e3')).toBe(1);
    });

    it('still answers a duplicate as one when its count cannot be written (the count is lost, nothing else)', async () => {
      const inbox = service.app.get(InboxService);
      expect((await inbox.accept(noteEvent('e4'))).duplicate).toBe(false);
      await database.query('ALTER TABLE ghl_sync.intake_duplicates RENAME TO intake_duplicates_away');
      try {
        await expect(inbox.accept(noteEvent('e4'))).resolves.toEqual({ duplicate: true });
        expect((await inbox.accept(noteEvent('e5'))).duplicate).toBe(false);
      } finally {
        await database.query('ALTER TABLE ghl_sync.intake_duplicates_away RENAME TO intake_duplicates');
      }
      const rows = await database.query("SELECT id FROM ghl_sync.sync_events WHERE idempotency_key IN ('e4', 'e5')");
      expect(rows).toHaveLength(2);
    });

    it('drops raw payloads of events processed more than INBOX_RETENTION_DAYS ago, on an hourly schedule', async () => {
      await database.query(`
        INSERT INTO ghl_sync.sync_events (idempotency_key, type, correlation_id, payload, outcome, processed_at, received_at)
        VALUES ('old-done', 'ContactUpdate', 'c', '{"email":"old@example.com"}', 'APPLIED', now() - interval '8 days', now() - interval '8 days'),
               ('recent-done', 'ContactUpdate', 'c', '{"email":"new@example.com"}', 'APPLIED', now() - interval '1 day', now() - interval '1 day'),
               ('old-pending', 'ContactUpdate', 'c', '{"email":"wait@example.com"}', 'PENDING', NULL, now() - interval '8 days')`);
      await database.query(`
        INSERT INTO ghl_sync.intake_duplicates (minute, location_id, type, deliveries)
        VALUES (date_trunc('minute', now() - interval '3 days'), 'loc-old', 'ContactUpdate', 4),
               (date_trunc('minute', now() - interval '1 day'), 'loc-old', 'ContactUpdate', 2)`);

      await service.app.get(InboxRetentionProcessor).process();

      // The duplicate counts older than two days go; the chart's 24 h stay.
      const counts = await database.query(
        "SELECT deliveries FROM ghl_sync.intake_duplicates WHERE location_id = 'loc-old'",
      );
      expect(counts).toEqual([{ deliveries: 2 }]);

      const rows = await database.query<{ idempotency_key: string; payload: unknown }>(
        "SELECT idempotency_key, payload FROM ghl_sync.sync_events WHERE idempotency_key IN ('old-done', 'recent-done', 'old-pending') ORDER BY idempotency_key",
      );
      expect(rows).toEqual([
        { idempotency_key: 'old-done', payload: null },
        { idempotency_key: 'old-pending', payload: { email: 'wait@example.com' } },
        { idempotency_key: 'recent-done', payload: { email: 'new@example.com' } },
      ]);
      const schedules = await database.query('SELECT name, cron FROM pgboss.schedule');
      expect(schedules).toContainEqual({ name: QUEUES.inboxRetention, cron: '17 * * * *' });
    });

    it.each(['Prisma', 'plain node-postgres'] as const)(
      'enqueues inside the caller %s transaction: a rolled-back transaction leaves no job',
      async (kind) => {
        const prisma = service.app.get(PrismaService);
        const queue = service.app.get(QueueService);
        const eventId = `rolled-back-${kind}`;
        const work = async (transaction: PrismaTransaction | SqlClient) => {
          await queue.send(QUEUES.inboundEvents, { eventId, correlationId: 'x' }, { transaction });
          throw new Error('the caller failed after enqueueing');
        };
        await expect(
          kind === 'Prisma' ? prisma.$transaction((transaction) => work(transaction)) : prisma.inPlainTransaction(work),
        ).rejects.toThrow('the caller failed after enqueueing');
        const jobs = await database.query("SELECT id FROM pgboss.job WHERE data->>'eventId' = $1", [eventId]);
        expect(jobs).toEqual([]);
      },
    );
  });

  describe('SERVICE_ROLE splits the API from the workers', () => {
    it('an api instance accepts work without processing it; a worker instance processes it', async () => {
      const api = await start({ SERVICE_ROLE: 'api' });
      await api.app.get(InboxService).accept(noteEvent('split-1'));
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await inboxRowOf('split-1')).toMatchObject({ outcome: 'PENDING', processed_at: null, attempts: 0 });

      const status = await api.graphql('{ syncStatus { queueDepth } }');
      expect(
        ((await status.json()) as { data: { syncStatus: { queueDepth: number } } }).data.syncStatus.queueDepth,
      ).toBeGreaterThanOrEqual(1);

      const worker = await start({ SERVICE_ROLE: 'worker' });
      const processed = await processedRow('split-1');
      expect(processed.outcome).toBe('IGNORED');

      // A worker serves health and metrics, not the API.
      const graphql = await worker.graphql('{ syncStatus { queueDepth } }', { apiKey: TEST_API_KEY });
      expect(graphql.status).toBe(404);
      expect((await fetch(`${worker.url}/health/ready`)).status).toBe(200);
      // Nor the console, which reads only the API: its answer says where the console is.
      const consolePage = await fetch(`${worker.url}/console`);
      expect(consolePage.status).toBe(404);
      expect(await consolePage.text()).toContain('open /console on an instance with SERVICE_ROLE api or all');
    });
  });

  it('commits deliveries that arrive together in shared INSERTs; a row jsonb refuses fails alone', async () => {
    const inbox = (await start({ SERVICE_ROLE: 'api' })).app.get(InboxService);
    const keys = Array.from({ length: 60 }, (_, index) => `grouped-${index}`);
    // Postgres's jsonb refuses \u0000 (22P05): that delivery can never be stored, its neighbours must be.
    const unstorable = { ...noteEvent('grouped-bad'), payload: { text: 'nul \u0000 inside' } };
    const outcomes = await Promise.all([
      ...keys.map((key) => inbox.recordIgnored(noteEvent(key))),
      inbox.recordIgnored(unstorable).catch((error: unknown) => error),
      inbox.recordIgnored(noteEvent('grouped-7')),
    ]);

    expect(outcomes.slice(0, 60).every((outcome) => (outcome as { duplicate: boolean }).duplicate === false)).toBe(
      true,
    );
    expect((outcomes[60] as { code?: string }).code).toBe('22P05');
    expect(outcomes[61]).toEqual({ duplicate: true });
    // Each caller got the id of its own row, not a neighbour's.
    const stored = await database.query<{ id: string; idempotency_key: string }>(
      "SELECT id::text, idempotency_key FROM ghl_sync.sync_events WHERE idempotency_key LIKE 'grouped-%'",
    );
    const idOfKey = new Map(stored.map((row) => [row.idempotency_key, row.id]));
    expect(outcomes.slice(0, 60).map((outcome) => (outcome as { eventId: string }).eventId)).toEqual(
      keys.map((key) => idOfKey.get(key)),
    );
    const rows = await database.query<{ stored: number; transactions: number }>(
      "SELECT count(*)::int AS stored, count(DISTINCT xmin::text)::int AS transactions FROM ghl_sync.sync_events WHERE idempotency_key LIKE 'grouped-%'",
    );
    expect(rows[0]!.stored).toBe(60);
    // xmin is the inserting transaction (rows stored IGNORED are never relayed nor processed, so no
    // worker of another test updates them): 60 rows in far fewer commits, as every one beyond the
    // first few slots waited and joined a group.
    expect(rows[0]!.transactions).toBeLessThan(20);
  });

  it('stores one row for a key repeated within one INSERT: the first event, answered with its id', async () => {
    const repository = (await start({ SERVICE_ROLE: 'api' })).app.get(InboxRepository);
    const first = noteEvent('same-statement');
    const ids = await repository.insertAllIfNew([
      { event: first },
      { event: { ...first, payload: { changed: true } } },
      { event: noteEvent('same-statement-other') },
    ]);
    const rows = await database.query<{ id: string; idempotency_key: string; payload: unknown }>(
      "SELECT id::text, idempotency_key, payload FROM ghl_sync.sync_events WHERE idempotency_key LIKE 'same-statement%' ORDER BY idempotency_key",
    );
    expect(rows).toEqual([
      { id: ids[0], idempotency_key: 'same-statement', payload: first.payload },
      { id: ids[2], idempotency_key: 'same-statement-other', payload: noteEvent('same-statement-other').payload },
    ]);
    expect(ids[1]).toBeUndefined();
  });

  it('refuses to boot when a queue has no processor', async () => {
    const config = loadAppConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(createRootLogger('silent', new CapturedLogs())),
        DatabaseModule,
        AnalyticsModule,
        QueueModule,
      ],
    }).compile();
    await expect(moduleRef.init()).rejects.toThrow(
      `no @QueueProcessor for queue(s): ${QUEUES.inboundEvents}, ${QUEUES.inboxRetention}, ${QUEUES.outboundRetention}`,
    );
    await moduleRef.close();
  });
});
