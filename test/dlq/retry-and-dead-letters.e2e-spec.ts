import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboxService } from '../../src/inbox/inbox.service.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { jobIdFor } from '../../src/queue/job-id.js';
import { QUEUES } from '../../src/queue/queue.constants.js';
import { failContactWrites, installContactFailures } from '../support/failure-injection.js';
import { ghlId, GhlStandIn } from '../support/ghl-stand-in.js';
import { processedInboxRow } from '../support/inbox.js';
import { eventually, startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SCHEDULE_SECONDS = [60, 300, 900, 3600, 21_600];

interface JobRow {
  id: string;
  state: string;
  start_after: Date;
  created_on: Date;
  data: { attempt?: number; correlationId: string; rootJobId?: string };
}

interface DeadLetterView {
  id: string;
  queue: string;
  idempotencyKey: string | null;
  errorClass: string;
  reason: string;
  playbook: string;
  attempts: number;
  status: string;
  correlationId: string | null;
  firstFailedAt: string;
  lastFailedAt: string;
}

const DEAD_LETTER_FIELDS =
  'id queue idempotencyKey errorClass reason playbook attempts status correlationId firstFailedAt lastFailedAt';

describe('retry schedule and dead letters', () => {
  const ghl = new GhlStandIn();
  let database: TestDatabase;
  let service: TestApp;

  const jobsOf = (eventId: string) =>
    database.query<JobRow>(
      "SELECT id, state, start_after, created_on, data FROM pgboss.job WHERE name = $1 AND data->>'eventId' = $2 ORDER BY created_on",
      [QUEUES.inboundEvents, eventId],
    );
  /** Waits for the retry of `attempt`, checks it is due exactly `delay` after it was scheduled, and makes it due now. */
  async function expectRetryAfter(eventId: string, attempt: number, delaySeconds: number): Promise<JobRow> {
    const retry = await eventually(async () => (await jobsOf(eventId)).find((job) => job.data.attempt === attempt));
    expect(retry.state).toBe('created');
    const scheduledIn = (retry.start_after.getTime() - retry.created_on.getTime()) / 1000;
    expect(scheduledIn).toBeGreaterThan(delaySeconds - 1);
    expect(scheduledIn).toBeLessThan(delaySeconds + 1);
    // Instead of waiting minutes or hours: move the clock of this one job.
    await database.query('UPDATE pgboss.job SET start_after = now() WHERE id = $1', [retry.id]);
    return retry;
  }
  async function deadLetters(status?: string): Promise<DeadLetterView[]> {
    const body = (await (
      await service.graphql(
        `query($s: DeadLetterStatus) { deadLetters(status: $s, first: 200) { edges { node { ${DEAD_LETTER_FIELDS} } } } }`,
        {
          variables: { s: status ?? null },
        },
      )
    ).json()) as { data: { deadLetters: { edges: { node: DeadLetterView }[] } } };
    return body.data.deadLetters.edges.map((edge) => edge.node);
  }
  const mutate = async (mutation: string, variables: Record<string, unknown>) =>
    (await (await service.graphql(mutation, { variables })).json()) as {
      data: Record<string, DeadLetterView> | null;
      errors?: { message: string; extensions: { code: string } }[];
    };
  async function deliver(event: Record<string, unknown>, correlationId: string): Promise<string> {
    const response = await ghl.deliver(service.url, event, { headers: { 'x-correlation-id': correlationId } });
    expect(response.status).toBe(200);
    const [row] = await database.query<{ id: string }>(
      'SELECT id FROM ghl_sync.sync_events WHERE idempotency_key = $1',
      [`webhook:${event.webhookId as string}`],
    );
    return row!.id;
  }

  beforeAll(async () => {
    database = await createTestDatabase('retries');
    service = await startTestApp(database.url, ghl.env());
    await installContactFailures(database);
  });

  afterAll(async () => {
    await service.close();
    await database.drop();
  });

  it('retries a handler that fails twice after exactly 1m and 5m, and applies it on attempt 3', async () => {
    const contact = ghl.contactEvent('ContactCreate');
    await failContactWrites(database, contact.id as string, 2);
    const eventId = await deliver(contact, 'retry-twice');

    await expectRetryAfter(eventId, 2, SCHEDULE_SECONDS[0]!);
    await expectRetryAfter(eventId, 3, SCHEDULE_SECONDS[1]!);
    const row = await processedInboxRow(database, { objectId: contact.id as string });
    expect(row).toMatchObject({ outcome: 'APPLIED', attempts: 3 });
    expect((await jobsOf(eventId)).map((job) => [job.data.attempt ?? 1, job.state])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
      [3, 'completed'],
    ]);
    expect(await database.query('SELECT id FROM contacts WHERE ghl_contact_id = $1', [contact.id])).toHaveLength(1);
    const retryLogs = service.logs
      .withCorrelationId('retry-twice')
      .filter((line) => line.msg === 'sync attempt failed; retry scheduled');
    expect(retryLogs.map((line) => [line.nextAttempt, line.delaySeconds])).toEqual([
      [2, 60],
      [3, 300],
    ]);
  });

  let exhausted: DeadLetterView;
  let exhaustedEventId: string;
  const exhaustedContact = ghl.contactEvent('ContactCreate');

  it('follows 1m, 5m, 15m, 1h, 6h, then records one dead letter with reason, class, 6 attempts and the playbook', async () => {
    await failContactWrites(database, exhaustedContact.id as string, 6);
    exhaustedEventId = await deliver(exhaustedContact, 'retry-six');
    for (const [index, delay] of SCHEDULE_SECONDS.entries()) await expectRetryAfter(exhaustedEventId, index + 2, delay);

    exhausted = await eventually(async () =>
      (await deadLetters('OPEN')).find((letter) => letter.correlationId === 'retry-six'),
    );
    expect(exhausted).toMatchObject({
      queue: QUEUES.inboundEvents,
      idempotencyKey: `webhook:${exhaustedContact.webhookId as string}`,
      errorClass: 'Unexpected',
      attempts: 6,
      status: 'OPEN',
    });
    expect(exhausted.reason).toContain(`injected failure for contact ${exhaustedContact.id as string}`);
    expect(exhausted.playbook).toContain('# Unexpected');
    expect(exhausted.playbook).toContain('Replay is safe');
    expect(new Date(exhausted.lastFailedAt).getTime()).toBeGreaterThanOrEqual(
      new Date(exhausted.firstFailedAt).getTime(),
    );
    const [row] = await database.query<{ outcome: string; processed_at: Date | null; payload: unknown }>(
      'SELECT outcome, processed_at, payload FROM ghl_sync.sync_events WHERE id = $1',
      [exhaustedEventId],
    );
    expect(row).toMatchObject({ outcome: 'DEAD_LETTERED' });
    expect(row!.payload).not.toBeNull();
    expect(
      await database.query('SELECT id FROM ghl_sync.sync_dead_letters WHERE correlation_id = $1', ['retry-six']),
    ).toHaveLength(1);
    const [stored] = await database.query<{ stack: string; playbook: string }>(
      'SELECT stack, playbook FROM ghl_sync.sync_dead_letters WHERE id = $1',
      [exhausted.id],
    );
    expect(stored!.playbook).toBe('unexpected.md');
    expect(stored!.stack.split('\n').length).toBeLessThanOrEqual(12);
  });

  it('replays a dead letter once, even when replay is called twice at the same time', async () => {
    const mutation = `mutation($id: ID!) { replayDeadLetter(id: $id) { ${DEAD_LETTER_FIELDS} } }`;
    const [first, second] = await Promise.all([
      mutate(mutation, { id: exhausted.id }),
      mutate(mutation, { id: exhausted.id }),
    ]);
    expect(first.errors).toBeUndefined();
    expect(second.errors).toBeUndefined();
    expect([first.data!.replayDeadLetter!.status, second.data!.replayDeadLetter!.status]).toEqual([
      'REPLAYED',
      'REPLAYED',
    ]);

    const row = await processedInboxRow(database, { objectId: exhaustedContact.id as string });
    expect(row).toMatchObject({ outcome: 'APPLIED', attempts: 7 });
    const replays = (await jobsOf(exhaustedEventId)).filter((job) => job.id === jobIdFor(`replay:${exhausted.id}`));
    expect(replays).toHaveLength(1);
    expect(replays[0]!.data).toMatchObject({ attempt: 1, correlationId: 'retry-six' });
    expect(
      await database.query('SELECT id FROM contacts WHERE ghl_contact_id = $1', [exhaustedContact.id]),
    ).toHaveLength(1);
    const [resolved] = await database.query<{ resolved_by: string; resolved_at: Date }>(
      'SELECT resolved_by, resolved_at FROM ghl_sync.sync_dead_letters WHERE id = $1',
      [exhausted.id],
    );
    expect(resolved!.resolved_by).toMatch(/^api-key:[0-9a-f]{12}$/);
    expect(resolved!.resolved_at).toBeInstanceOf(Date);
  });

  let permanentId: string;

  it('dead-letters an error no retry can fix at once, without the schedule', async () => {
    const key = `permanent-${ghlId()}`;
    await service.app.get(InboxService).accept({
      idempotencyKey: key,
      type: 'ContactUpdate',
      correlationId: 'no-time',
      payload: { type: 'ContactUpdate', id: ghlId(), locationId: ghl.locationId, timestamp: 'yesterday' },
    });
    const letter = await eventually(async () =>
      (await deadLetters('OPEN')).find((item) => item.idempotencyKey === key),
    );
    expect(letter).toMatchObject({ errorClass: 'InvalidPayload', attempts: 1, correlationId: 'no-time' });
    expect(letter.reason).toContain('carries an unreadable time');
    expect(letter.playbook).toContain('# InvalidPayload');
    permanentId = letter.id;
  });

  it('discards only with a reason, records who and why, and will not replay a discarded letter', async () => {
    const discard = `mutation($id: ID!, $reason: String) { discardDeadLetter(id: $id, reason: $reason) { id status } }`;
    const noReason = await mutate(discard, { id: permanentId, reason: '  ' });
    expect(noReason.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect((await deadLetters('OPEN')).some((letter) => letter.id === permanentId)).toBe(true);

    const discarded = await mutate(discard, { id: permanentId, reason: 'test payload, nothing to sync' });
    expect(discarded.data!.discardDeadLetter).toEqual({ id: permanentId, status: 'DISCARDED' });
    const [row] = await database.query<{ resolution_note: string; resolved_by: string }>(
      'SELECT resolution_note, resolved_by FROM ghl_sync.sync_dead_letters WHERE id = $1',
      [permanentId],
    );
    expect(row).toMatchObject({ resolution_note: 'test payload, nothing to sync' });

    const replay = await mutate(`mutation($id: ID!) { replayDeadLetter(id: $id) { id } }`, { id: permanentId });
    expect(replay.errors?.[0]?.extensions.code).toBe('CONFLICT');
    const unknown = await mutate(`mutation($id: ID!) { replayDeadLetter(id: $id) { id } }`, {
      id: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
  });

  it('counts open dead letters in syncStatus and the Prometheus gauge', async () => {
    const open = (await deadLetters('OPEN')).length;
    const status = (await (await service.graphql('{ syncStatus { deadLettersOpen } }')).json()) as {
      data: { syncStatus: { deadLettersOpen: number } };
    };
    expect(status.data.syncStatus.deadLettersOpen).toBe(open);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain(`sync_dead_letters_open ${open}`);
  });

  it('is operated from the CLI: list, show, then replay --all by error class', async () => {
    const contact = ghl.contactEvent('ContactCreate');
    const key = `cli-${ghlId()}`;
    await service.app.get(InboxService).accept({
      idempotencyKey: key,
      type: 'ContactUpdate',
      correlationId: 'cli-case',
      payload: { type: 'ContactUpdate', id: contact.id, locationId: ghl.locationId, timestamp: 'yesterday' },
    });
    const letter = await eventually(async () =>
      (await deadLetters('OPEN')).find((item) => item.idempotencyKey === key),
    );
    const cli = async (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(PROJECT_ROOT, 'dist/cli/dlq.js'), ...args], {
        env: { PATH: process.env.PATH, DATABASE_URL: database.url },
      });

    expect((await cli('list', '--status', 'OPEN')).stdout).toContain(`${letter.id}  OPEN  InvalidPayload  attempts=1`);
    expect((await cli('show', letter.id)).stdout).toContain('# InvalidPayload');
    const discardWithoutReason = await cli('discard', letter.id).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(discardWithoutReason).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('REASON_REQUIRED') as string,
    });

    const replayed = await cli('replay', '--all', '--error-class', 'InvalidPayload');
    expect(replayed.stdout).toContain(`${letter.id}  REPLAYED`);
    const [row] = await database.query<{ status: string; resolved_by: string }>(
      'SELECT status, resolved_by FROM ghl_sync.sync_dead_letters WHERE id = $1',
      [letter.id],
    );
    expect(row).toMatchObject({ status: 'REPLAYED', resolved_by: expect.stringMatching(/^cli:/) as string });
    // The payload is still unusable: the replay fails the same way and comes back as a new dead letter.
    await eventually(async () =>
      (await deadLetters('OPEN')).find((item) => item.idempotencyKey === key && item.id !== letter.id),
    );
  });

  it('from the CLI, on a database never migrated: exits 1 at once and says to migrate', async () => {
    const empty = await createTestDatabase('dlq_cli_unmigrated');
    try {
      const failed = await promisify(execFile)(process.execPath, [join(PROJECT_ROOT, 'dist/cli/dlq.js'), 'list'], {
        env: { PATH: process.env.PATH, DATABASE_URL: empty.url },
        timeout: 60_000,
      }).catch((error: { code: number; stderr: string; killed: boolean }) => error);
      expect(failed).toMatchObject({ code: 1, killed: false });
      expect((failed as { stderr: string }).stderr).toContain('run `npm run db:migrate`');
    } finally {
      await empty.drop();
    }
  });
});
