import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeadLettersService } from '../../src/dlq/dead-letters.service.js';
import { ContactOutboxRepository } from '../../src/outbound/contact-outbox.repository.js';
import { ContactPushService } from '../../src/outbound/contact-push.service.js';
import { OutboundRetentionProcessor } from '../../src/outbound/outbound-retention.processor.js';
import { OutboxRelay } from '../../src/outbound/outbox-relay.js';
import { PrismaService } from '../../src/database/prisma.service.js';
import { QUEUES, queueDefinitions, type OutboundContactJob } from '../../src/queue/queue.constants.js';
import { eventually, startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** GHL configured (so OUTBOUND_MODE defaults to push) but never called: these tests replace the push with one that only marks the rows pushed. */
const OUTBOUND_ENV = {
  GHL_LOCATION_ID: 'loc-outbound',
  GHL_PRIVATE_INTEGRATION_TOKEN: 'pit-outbound',
  GHL_API_BASE_URL: 'http://127.0.0.1:9',
  BACKFILL_CRON: 'off',
};

interface JobRow {
  id: string;
  singleton_key: string | null;
  state: string;
  data: OutboundContactJob;
  delay_ms: number;
}

const contactIds = (count: number, prefix: string) =>
  Array.from(
    { length: count },
    (_, index) => `00000000-0000-4000-8000-${prefix}${String(index).padStart(12 - prefix.length, '0')}`,
  );

describe('the contact outbox relay (ADR 0019)', () => {
  let database: TestDatabase;
  const started: TestApp[] = [];
  const start = async (env: Record<string, string>) => {
    const app = await startTestApp(database.url, { ...OUTBOUND_ENV, ...env });
    started.push(app);
    return app;
  };

  /** What TrainU's app does: a plain SQL write in its own transaction. */
  const asTrainU = (sql: string, values?: unknown[]) => database.query(sql, values);
  const insertContacts = (ids: readonly string[]) =>
    asTrainU("INSERT INTO contacts (id, email) SELECT id, id || '@example.com' FROM unnest($1::uuid[]) AS id", [ids]);
  const rename = (id: string, name: string) =>
    asTrainU('UPDATE contacts SET first_name = $2 WHERE id = $1', [id, name]);
  const jobs = () =>
    database.query<JobRow>(
      `SELECT id, singleton_key, state, data, (extract(epoch FROM start_after - created_on) * 1000)::int AS delay_ms
         FROM pgboss.job WHERE name = $1 ORDER BY created_on, id`,
      [QUEUES.outboundContacts],
    );
  const outboxRows = () =>
    database.query<{ id: string; contact_id: string; queued: boolean; pushed: boolean }>(
      `SELECT id::text, contact_id, queued_at IS NOT NULL AS queued, pushed_at IS NOT NULL AS pushed
         FROM ghl_sync.contact_outbox ORDER BY id`,
    );

  beforeAll(async () => {
    database = await createTestDatabase('outbox_relay');
  });

  afterAll(async () => {
    for (const app of started) await app.close();
    await database.drop();
  });

  describe('batches, by hand (SERVICE_ROLE=api: no relay loop, no workers)', () => {
    let relay: OutboxRelay;

    beforeAll(async () => {
      relay = (await start({ SERVICE_ROLE: 'api' })).app.get(OutboxRelay);
    });

    beforeEach(async () => {
      await database.query('TRUNCATE contacts CASCADE');
      await database.query('TRUNCATE ghl_sync.contact_outbox');
      await database.query('DELETE FROM pgboss.job WHERE name = $1', [QUEUES.outboundContacts]);
    });

    it('queues one job per contact, keyed by the contact, delayed a second, and marks every row queued', async () => {
      const ids = contactIds(3, 'a');
      await insertContacts(ids);
      await rename(ids[0]!, 'Ann');

      expect(await relay.relayBatch()).toBe(4);

      const rows = await outboxRows();
      const queued = await jobs();
      expect(queued.map((job) => job.singleton_key).sort()).toEqual([...ids].sort());
      expect(queued.map((job) => job.data)).toEqual(
        expect.arrayContaining(
          ids.map((contactId) => ({
            contactId,
            correlationId: `outbox:${rows.find((row) => row.contact_id === contactId)!.id}`,
            eventType: 'ContactOutbound',
            direction: 'outbound',
          })),
        ),
      );
      for (const job of queued) expect(job.delay_ms).toBeGreaterThanOrEqual(900);
      expect(rows.every((row) => row.queued)).toBe(true);
      expect(await relay.relayBatch()).toBe(0);
      expect(await jobs()).toHaveLength(3);
    });

    it('claims by status in batches, not by a cursor on id: a row whose transaction commits late is still taken', async () => {
      const [early, late] = contactIds(2, 'b');
      const client = await import('pg').then(({ default: pg }) => new pg.Client({ connectionString: database.url }));
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query("INSERT INTO contacts (id, email) VALUES ($1, 'late@example.com')", [late]);
        await insertContacts([early!]); // a higher outbox id, committed first
        expect(await relay.relayBatch()).toBe(1);
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
      expect(await relay.relayBatch()).toBe(1);
      expect((await jobs()).map((job) => job.singleton_key)).toEqual([early, late]);
    });

    it('moves at most `limit` rows a batch', async () => {
      await insertContacts(contactIds(5, 'c'));
      expect(await relay.relayBatch(2)).toBe(2);
      expect(await relay.relayBatch(2)).toBe(2);
      expect(await relay.relayBatch(2)).toBe(1);
      expect(await jobs()).toHaveLength(5);
    });

    it('coalesces a burst of edits to one contact into one job while it waits', async () => {
      const [id] = contactIds(1, 'd');
      await insertContacts([id!]);
      expect(await relay.relayBatch()).toBe(1);
      for (const name of ['A', 'An', 'Ann', 'Anne']) {
        await rename(id!, name);
        expect(await relay.relayBatch()).toBe(1);
      }
      const queued = await jobs();
      expect(queued).toHaveLength(1);
      expect(queued[0]).toMatchObject({ singleton_key: id, state: 'created' });
      expect((await outboxRows()).every((row) => row.queued)).toBe(true);
    });

    it('a relay killed between its claim and its commit loses nothing: the rows wait, no job exists, the next batch takes them', async () => {
      const ids = contactIds(2, 'e');
      await insertContacts(ids);
      // The relay's connection dies as its job insert runs (a process killed, a server restarted).
      await database.query(`
        CREATE FUNCTION test_kill_relay() RETURNS trigger AS $$
        BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$ LANGUAGE plpgsql;
        CREATE TRIGGER test_kill_relay BEFORE INSERT ON pgboss.job FOR EACH ROW
          WHEN (NEW.name = '${QUEUES.outboundContacts}') EXECUTE FUNCTION test_kill_relay();`);
      try {
        await expect(relay.relayBatch()).rejects.toThrow();
      } finally {
        await database.query('DROP TRIGGER test_kill_relay ON pgboss.job; DROP FUNCTION test_kill_relay()');
      }
      expect((await outboxRows()).map((row) => row.queued)).toEqual([false, false]);
      expect(await jobs()).toEqual([]);

      expect(await relay.relayBatch()).toBe(2);
      expect((await jobs()).map((job) => job.singleton_key).sort()).toEqual([...ids].sort());
    });

    it('the sweep sends again the job of rows queued long ago and never pushed (the job lost), and only of those', async () => {
      const [lost, recent, pushed, parked] = contactIds(4, 'f');
      await insertContacts([lost!, recent!, pushed!, parked!]);
      expect(await relay.relayBatch()).toBe(4);
      await database.query('DELETE FROM pgboss.job WHERE name = $1', [QUEUES.outboundContacts]);
      await database.query(
        `UPDATE ghl_sync.contact_outbox SET queued_at = now() - interval '6 minutes',
            pushed_at = CASE WHEN contact_id = $2 THEN now() END,
            dead_lettered_at = CASE WHEN contact_id = $3 THEN now() END
          WHERE contact_id <> $1`,
        [recent, pushed, parked],
      );
      await database.query(
        "UPDATE ghl_sync.contact_outbox SET queued_at = now() - interval '6 minutes' WHERE contact_id = $1",
        [lost],
      );
      await database.query(
        "UPDATE ghl_sync.contact_outbox SET queued_at = now() - interval '1 minute' WHERE contact_id = $1",
        [recent],
      );

      expect(await relay.sweepBatch()).toBe(1);
      expect((await jobs()).map((job) => job.singleton_key)).toEqual([lost]);
      // Queued again just now: the next sweep leaves it for another five minutes.
      expect(await relay.sweepBatch()).toBe(0);
    });

    it('counts the rows not pushed in syncStatus.outboxPending and sync_outbox_pending', async () => {
      await insertContacts(contactIds(3, '9'));
      await database.query(
        'UPDATE ghl_sync.contact_outbox SET pushed_at = now() WHERE id = (SELECT min(id) FROM ghl_sync.contact_outbox)',
      );
      const app = started[0]!;
      const response = await app.graphql('{ syncStatus { outboxPending } }');
      expect(await response.json()).toEqual({ data: { syncStatus: { outboxPending: 2 } } });
      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      expect(metrics).toMatch(/^sync_outbox_pending 2$/m);
    });
    it('hourly, drops echo entries past their expiry, and outbox rows pushed, plans made and writes (but deletes) logged more than INBOX_RETENTION_DAYS ago, nothing else', async () => {
      const ids = contactIds(4, 'e');
      await insertContacts(ids);
      // Pushed 8 days ago (goes), pushed yesterday (stays), never pushed (stays), dead-lettered long ago (stays).
      await database.query(
        `UPDATE ghl_sync.contact_outbox SET pushed_at = CASE contact_id
            WHEN $1::uuid THEN now() - interval '8 days' WHEN $2::uuid THEN now() - interval '1 day' END,
            dead_lettered_at = CASE WHEN contact_id = $3::uuid THEN now() - interval '8 days' END
          WHERE contact_id = ANY($4::uuid[])`,
        [ids[0], ids[1], ids[3], ids],
      );
      await database.query('TRUNCATE ghl_sync.outbound_echoes');
      await database.query(
        `INSERT INTO ghl_sync.outbound_echoes (ghl_contact_id, field, value, expires_at, consumed_at)
         VALUES ('g1', 'email', 'expired@example.com', now() - interval '1 minute', NULL),
                ('g1', 'firstName', 'Consumed', now() + interval '1 hour', now()),
                ('g2', 'email', 'open@example.com', now() + interval '1 hour', NULL)`,
      );
      await database.query(
        `INSERT INTO ghl_sync.outbound_plans (contact_id, mode, action, api_calls, correlation_id, planned_at)
         VALUES ($1, 'shadow', 'CREATE', 2, 'old', now() - interval '8 days'), ($1, 'push', 'CREATE', 2, 'recent', now() - interval '1 day')`,
        [ids[0]],
      );

      await database.query('TRUNCATE ghl_sync.outbound_writes');
      await database.query(
        `INSERT INTO ghl_sync.outbound_writes (contact_id, action, correlation_id, written_at)
         VALUES ($1, 'update', 'old update', now() - interval '8 days'), ($1, 'delete', 'old delete', now() - interval '8 days'),
                ($1, 'update', 'recent update', now() - interval '1 day')`,
        [ids[0]],
      );

      await started[0]!.app.get(OutboundRetentionProcessor).process();

      expect((await outboxRows()).map((row) => row.contact_id).sort()).toEqual([ids[1], ids[2], ids[3]].sort());
      expect(await database.query('SELECT value FROM ghl_sync.outbound_echoes ORDER BY id')).toEqual([
        { value: 'Consumed' },
        { value: 'open@example.com' },
      ]);
      expect(await database.query('SELECT correlation_id FROM ghl_sync.outbound_plans')).toEqual([
        { correlation_id: 'recent' },
      ]);
      // A delete stays: it is how a later edit of the contact knows GHL no longer has it.
      expect(await database.query('SELECT correlation_id FROM ghl_sync.outbound_writes ORDER BY id')).toEqual([
        { correlation_id: 'old delete' },
        { correlation_id: 'recent update' },
      ]);
      // Hourly where workers run (pg-boss schedules it there; this instance is api-only).
      const definition = queueDefinitions([60], { backfill: false, outbound: false }).find(
        (queue) => queue.name === QUEUES.outboundRetention,
      );
      expect(definition?.schedule).toBe('47 * * * *');
    });
  });

  describe('running (SERVICE_ROLE=all)', () => {
    let app: TestApp;
    let push: ContactPushService;
    const runs: { contactId: string; correlationId: string; attempt: number; startedAt: number; endedAt?: number }[] =
      [];
    /** Contacts whose next pushes fail, and how many times. */
    const failures = new Map<string, number>();
    /** How long a contact's push takes (ms); 300 unless set. */
    const durations = new Map<string, number>();

    beforeAll(async () => {
      await database.query('TRUNCATE contacts CASCADE');
      await database.query('TRUNCATE ghl_sync.contact_outbox');
      app = await start({ SERVICE_ROLE: 'all', SYNC_RETRY_DELAYS: '1s' });
      push = app.app.get(ContactPushService);
      const outbox = app.app.get(ContactOutboxRepository);
      const prisma = app.app.get(PrismaService);
      // What the relay and the queue are responsible for, without GHL: the contact's pending rows marked pushed.
      const markPending = (contactId: string) =>
        prisma.inPlainTransaction(async (client) =>
          outbox.markPushed((await outbox.pendingChanges(contactId, client)).rowIds, client),
        );
      push.push = async (data: OutboundContactJob) => {
        const job = { data };
        const run: (typeof runs)[number] = {
          contactId: job.data.contactId,
          correlationId: job.data.correlationId,
          attempt: job.data.attempt ?? 1,
          startedAt: Date.now(),
        };
        runs.push(run);
        await new Promise((resolve) => setTimeout(resolve, durations.get(job.data.contactId) ?? 300));
        const failing = failures.get(job.data.contactId) ?? 0;
        if (failing > 0) {
          failures.set(job.data.contactId, failing - 1);
          run.endedAt = Date.now();
          throw new Error('injected push failure');
        }
        await markPending(job.data.contactId);
        run.endedAt = Date.now();
      };
    });

    const pushedAll = (contactId: string) =>
      eventually(async () => {
        const rows = (await outboxRows()).filter((row) => row.contact_id === contactId);
        return rows.length > 0 && rows.every((row) => row.pushed) ? rows : undefined;
      });

    it('pushes a contact’s changes one job at a time and in order; edits while a job runs make one more job', async () => {
      const [id] = contactIds(1, '1');
      // Longer than a new job's start delay: a second job of the contact could start during it.
      durations.set(id!, 2_000);
      await insertContacts([id!]);
      const first = await eventually(() => Promise.resolve(runs.find((run) => run.contactId === id)));
      await rename(id!, 'During the first push');
      await rename(id!, 'Still during it');
      await pushedAll(id!);
      const ofContact = await eventually(() => {
        const done = runs.filter((run) => run.contactId === id && run.endedAt);
        return Promise.resolve(done.length >= 2 ? done : undefined);
      });
      expect(ofContact).toHaveLength(2);
      expect(ofContact[1]!.startedAt).toBeGreaterThanOrEqual(ofContact[0]!.endedAt!);
      const rows = (await outboxRows()).filter((row) => row.contact_id === id);
      expect(ofContact.map((run) => run.correlationId)).toEqual([`outbox:${rows[0]!.id}`, `outbox:${rows[1]!.id}`]);
      expect(first.correlationId).toBe(`outbox:${rows[0]!.id}`);
      const response = await app.graphql('{ syncStatus { outboxPending } }');
      expect(await response.json()).toEqual({ data: { syncStatus: { outboxPending: 0 } } });
    });

    it('a failed push is retried on the schedule as the same contact’s job (singletonKey kept), then pushes', async () => {
      const [id] = contactIds(1, '2');
      failures.set(id!, 1);
      await insertContacts([id!]);
      await pushedAll(id!);
      expect(runs.filter((run) => run.contactId === id).map((run) => run.attempt)).toEqual([1, 2]);
      const keys = await database.query<{ singleton_key: string | null; attempt: number | null }>(
        `SELECT singleton_key, (data->>'attempt')::int AS attempt FROM pgboss.job
          WHERE name = $1 AND data->>'contactId' = $2 ORDER BY created_on`,
        [QUEUES.outboundContacts, id],
      );
      expect(keys).toEqual([
        { singleton_key: id, attempt: null },
        { singleton_key: id, attempt: 2 },
      ]);
    });

    it('a dead-lettered contact’s rows wait for the operator; the replay (same singletonKey) pushes them', async () => {
      const [id] = contactIds(1, '3');
      failures.set(id!, 2); // the first attempt and its one retry (SYNC_RETRY_DELAYS=1s)
      await insertContacts([id!]);
      const [letter] = await eventually(async () => {
        const letters = await database.query<{ id: string }>(
          "SELECT id FROM ghl_sync.sync_dead_letters WHERE queue = $1 AND payload->>'contactId' = $2",
          [QUEUES.outboundContacts, id],
        );
        return letters.length > 0 ? letters : undefined;
      });
      const [parked] = await database.query<{ dead_lettered: boolean; pushed: boolean }>(
        `SELECT dead_lettered_at IS NOT NULL AS dead_lettered, pushed_at IS NOT NULL AS pushed
           FROM ghl_sync.contact_outbox WHERE contact_id = $1`,
        [id],
      );
      expect(parked).toEqual({ dead_lettered: true, pushed: false });
      await database.query(
        "UPDATE ghl_sync.contact_outbox SET queued_at = now() - interval '6 minutes' WHERE contact_id = $1",
        [id],
      );
      expect(await app.app.get(OutboxRelay).sweepBatch()).toBe(0);

      await app.app.get(DeadLettersService).replay(letter!.id, 'test');
      await pushedAll(id!);
      const [replayed] = await database.query<{ singleton_key: string }>(
        `SELECT singleton_key FROM pgboss.job WHERE name = $1 AND data->>'contactId' = $2 ORDER BY created_on DESC LIMIT 1`,
        [QUEUES.outboundContacts, id],
      );
      expect(replayed).toEqual({ singleton_key: id });
    });
  });

  // Shadow mode relays and plans: test/outbound/shadow-and-preview.e2e-spec.ts.
  it('with OUTBOUND_MODE=off the changes are captured but nothing relays them', async () => {
    for (const app of started.splice(0)) await app.close();
    await start({ SERVICE_ROLE: 'all', OUTBOUND_MODE: 'off' });
    const [id] = contactIds(1, '4');
    await insertContacts([id!]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await outboxRows()).filter((row) => row.contact_id === id)).toEqual([
      expect.objectContaining({ queued: false, pushed: false }),
    ]);
    expect((await jobs()).filter((job) => job.data.contactId === id)).toEqual([]);
  });
});
