import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceRole } from '../../src/config/environment.js';
import { readMigrationFiles } from '../../src/database/migrations/migration-files.js';
import { runMigrations } from '../../src/database/migrations/migration-runner.js';
import { MIGRATIONS_DIR } from '../../src/paths.js';
import { FaultablePostgres, type Outage } from '../support/faultable-postgres.js';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { RedeliveringGhl, type DeliveryAttempt } from '../support/redelivering-ghl.js';
import { ServiceProcess } from '../support/service-process.js';

/**
 * Distinct contact events per variant. The default keeps a variant well under a minute while the
 * workers drain about 8 events/s each; the acceptance run is DATABASE_FAULT_EVENTS=5000.
 */
const EVENTS = positiveIntegerFromEnv('DATABASE_FAULT_EVENTS', 300);
/** Bound on the wait for the queue to drain once every delivery got 200. */
const DRAIN_SECONDS = positiveIntegerFromEnv('DATABASE_FAULT_DRAIN_SECONDS', Math.max(120, Math.ceil(EVENTS / 5)));
const EVENTS_PER_CONTACT = 20;
const CONTACTS = Math.min(250, Math.max(10, Math.ceil(EVENTS / EVENTS_PER_CONTACT)));
/** GHL-like pace, slowed down for a small workload so that the load still spans all three faults. */
const MAX_RATE_PER_SECOND = 130;
const MIN_LOAD_SECONDS = 24;
const RATE_PER_SECOND = Math.min(MAX_RATE_PER_SECOND, Math.ceil((EVENTS * 1.2) / MIN_LOAD_SECONDS));
/** The faults, at these fractions of the planned load time, each at least a few seconds after the last recovery. */
const FAULTS: readonly { kind: 'fastRestart' | 'killPostmaster'; at: number }[] = [
  { kind: 'fastRestart', at: 0.15 },
  { kind: 'fastRestart', at: 0.45 },
  { kind: 'killPostmaster', at: 0.75 },
];
/**
 * An idle local server is back ~150 ms after a restart; a loaded or managed one takes seconds. Held
 * down this long, the outage is wide enough for deliveries and readiness polls to land inside it.
 */
const HOLD_DOWN_MS = 2_000;
/** Longest the inbox stays locked before a fault while we wait for a write to queue up behind it. */
const MAX_LOCK_WAIT_MS = 3_000;
const PAUSE_AFTER_RECOVERY_MS = 3_000;
const RECOVERY_LIMIT_MS = 15_000;
const API_KEY = 'restart-test-key-0123456789';

function positiveIntegerFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

interface ReadinessSample {
  readonly at: number;
  readonly status: number | string;
  readonly database?: string;
}

/** GET /health/ready every 200 ms until stopped. */
function pollReadiness(url: string): { readonly samples: ReadinessSample[]; stop(): Promise<void> } {
  const samples: ReadinessSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      try {
        const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5_000) });
        const body = (await response.json()) as { details?: { database?: { status?: string } } };
        samples.push({ at, status: response.status, database: body.details?.database?.status });
      } catch (error) {
        samples.push({ at, status: error instanceof Error ? error.name : String(error) });
      }
      await sleep(200);
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

interface RunningProcess {
  readonly role: ServiceRole;
  readonly service: ServiceProcess;
  readonly url: string;
  exitCode?: number | null;
}

/** What a failure message shows of each process: its stderr (where a crash lands) and its last warnings and errors. */
function outputOf(processes: readonly RunningProcess[]): string {
  return processes
    .map(({ role, service, exitCode }) =>
      [
        `--- SERVICE_ROLE=${role} (pid ${service.pid}) ${exitCode === undefined ? 'running' : `exited with ${exitCode}`}`,
        '... stderr:',
        ...service.stderr.filter((line) => line.trim()).slice(0, 120),
        '... stdout, last warnings and errors:',
        ...service.stdout.filter((line) => /"level":"(warn|error|fatal)"/.test(line)).slice(-8),
      ].join('\n'),
    )
    .join('\n');
}

async function stopProcess(service: ServiceProcess): Promise<void> {
  const stopped = service.stop('SIGTERM');
  if ((await Promise.race([stopped.then(() => true), sleep(15_000).then(() => false)])) === false) {
    await service.stop('SIGKILL');
  }
}

/**
 * Runs `fault` while writes to the inbox are waiting inside their transactions: a session of ours
 * holds `sync_events` in EXCLUSIVE mode (reads go on) until at least one other session waits for it,
 * so the fault lands while deliveries and jobs hold pool connections, as it does under real load.
 * Returns the outage and how many sessions were waiting.
 */
async function whileWritesWait(databaseUrl: string, fault: () => Promise<Outage>): Promise<[Outage, number]> {
  const locker = new pg.Client({ connectionString: databaseUrl });
  locker.on('error', () => undefined);
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE ghl_sync.sync_events IN EXCLUSIVE MODE');
  const deadline = Date.now() + MAX_LOCK_WAIT_MS;
  let waiting = 0;
  while (waiting === 0 && Date.now() < deadline) {
    await sleep(20);
    const [row] = await query<{ waiting: number }>(
      databaseUrl,
      "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
    );
    waiting = row!.waiting;
  }
  try {
    return [await fault(), waiting];
  } finally {
    await locker.end().catch(() => undefined);
  }
}

interface ContactRow {
  ghl_contact_id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  ghl_updated_at: Date;
  deleted_at: Date | null;
  email_conflict: string | null;
  tags: string[];
}

interface FaultResult {
  readonly outage: Outage;
  /** The first delivery answered 200 once the server was back, if any within the limit. */
  readonly recovery: DeliveryAttempt | undefined;
  /** Sessions waiting inside a transaction when the fault came. */
  readonly waiting: number;
}

describe('the service while its Postgres server restarts under webhook load', () => {
  const ghl = new GhlStandIn();
  let postgres: FaultablePostgres;
  let cwd: string;

  beforeAll(async () => {
    postgres = await FaultablePostgres.start();
    cwd = mkdtempSync(join(tmpdir(), 'trainu-restart-'));
    chmodSync(cwd, 0o755);
  });

  afterAll(async () => {
    await postgres?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  const survivesRestarts = async (variant: string, roles: readonly ServiceRole[]) => {
    const database = `restart_${variant}`;
    await postgres.createDatabase(database);
    const databaseUrl = postgres.url(database);
    await runMigrations(databaseUrl, readMigrationFiles(MIGRATIONS_DIR), pino({ level: 'silent' }));

    const spawned: ServiceProcess[] = [];
    const processes: RunningProcess[] = [];
    const pollers: { running: RunningProcess; poller: ReturnType<typeof pollReadiness> }[] = [];
    try {
      for (const role of roles) {
        const service = new ServiceProcess(cwd, {
          ...ghl.env(),
          DATABASE_URL: databaseUrl,
          GRAPHQL_API_KEYS: API_KEY,
          SERVICE_ROLE: role,
        });
        spawned.push(service);
        const running: RunningProcess = { role, service, url: await service.listening() };
        void service.exited.then((code) => (running.exitCode = code));
        processes.push(running);
        pollers.push({ running, poller: pollReadiness(running.url) });
      }
      await underFaults(databaseUrl, variant, processes, pollers);
    } finally {
      await Promise.all(pollers.map(({ poller }) => poller.stop()));
      await Promise.all(spawned.map(stopProcess));
    }
  };

  const underFaults = async (
    databaseUrl: string,
    variant: string,
    processes: readonly RunningProcess[],
    pollers: readonly { running: RunningProcess; poller: ReturnType<typeof pollReadiness> }[],
  ) => {
    const anyExited = () => processes.some((running) => running.exitCode !== undefined);
    const webhookUrl = processes.find((running) => running.role !== 'worker')!.url;
    const sender = new RedeliveringGhl(ghl, { events: EVENTS, contacts: CONTACTS, ratePerSecond: RATE_PER_SECOND });
    const plannedMs = (sender.deliveries / RATE_PER_SECOND) * 1000;
    const loadStartedAt = Date.now();
    const load = sender.run(webhookUrl);

    const faults: FaultResult[] = [];
    let notBefore = 0;
    for (const fault of FAULTS) {
      await sleep(Math.max(loadStartedAt + fault.at * plannedMs, notBefore) - Date.now());
      if (anyExited() || sender.finished) break;
      const [outage, waiting] = await whileWritesWait(databaseUrl, () =>
        postgres[fault.kind]({ holdDownMs: HOLD_DOWN_MS }),
      );
      let recovery: DeliveryAttempt | undefined;
      while (!(recovery = sender.firstAcceptedAfter(outage.upAt))) {
        if (anyExited() || sender.finished || Date.now() > outage.upAt + RECOVERY_LIMIT_MS) break;
        await sleep(50);
      }
      faults.push({ outage, recovery, waiting });
      if (anyExited()) break;
      notBefore = Math.max(Date.now(), recovery?.endedAt ?? 0) + PAUSE_AFTER_RECOVERY_MS;
    }

    const loadDeadline = loadStartedAt + plannedMs + 60_000;
    while (!sender.finished && !anyExited() && Date.now() < loadDeadline) await sleep(100);
    const loadFinished = sender.finished;
    sender.stop();
    await load;
    const loadEndedAt = Date.now();

    let outcomes: { outcome: string; count: number }[] = [];
    let drainMs: number | undefined;
    const drainDeadline = Date.now() + DRAIN_SECONDS * 1000;
    while (loadFinished && !anyExited() && Date.now() < drainDeadline) {
      outcomes = await query<{ outcome: string; count: number }>(
        databaseUrl,
        'SELECT outcome::text, count(*)::int AS count FROM ghl_sync.sync_events GROUP BY outcome ORDER BY outcome',
      );
      const done = outcomes.filter(({ outcome }) => outcome === 'APPLIED' || outcome === 'STALE');
      if (done.length === outcomes.length && done.reduce((sum, { count }) => sum + count, 0) >= EVENTS) {
        drainMs = Date.now() - loadEndedAt;
        break;
      }
      await sleep(500);
    }
    const finalReadiness = await Promise.all(
      processes.map(({ url }) =>
        fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5_000) }).then(
          (response) => response.status,
          (error: unknown) => (error instanceof Error ? error.name : String(error)),
        ),
      ),
    );

    const summary = sender.summary();
    process.stdout.write(
      `database restart [${variant}: ${processes.map(({ role }) => role).join('+')}] ${EVENTS} events, ${CONTACTS} contacts, ` +
        `${summary.deliveries} deliveries at ${RATE_PER_SECOND}/s, ${summary.attempts} attempts ${JSON.stringify(summary.byStatus)}\n` +
        faults
          .map(
            ({ outage, recovery, waiting }) =>
              `  ${outage.kind} (${waiting} writes waiting): down ${outage.downMs} ms (port refused ${outage.refusedMs} ms, ${outage.startAttempts} start(s)), ` +
              `first 200 ${recovery ? `${recovery.endedAt - outage.upAt} ms after the server was back` : 'never'}\n`,
          )
          .join('') +
        `  429: ${summary.tooManyRequests} (without Retry-After: ${summary.tooManyRequestsWithoutRetryAfter}), refused: ${summary.refused}, ` +
        `network errors: ${summary.networkErrors}, 5xx: ${summary.serverErrors}, max latency ${summary.maxLatencyMs} ms\n` +
        `  load ${((loadEndedAt - loadStartedAt) / 1000).toFixed(1)} s${loadFinished ? '' : ' (stopped unfinished)'}, ` +
        `drain ${drainMs === undefined ? 'not reached' : `${(drainMs / 1000).toFixed(1)} s`}; ` +
        `exits: ${processes.map(({ role, exitCode }) => `${role}=${exitCode === undefined ? 'none' : exitCode}`).join(', ')}\n`,
    );

    expect(
      processes.filter(({ exitCode }) => exitCode !== undefined).map(({ role }) => role),
      `a service process exited during the faults:\n${outputOf(processes)}`,
    ).toEqual([]);
    expect(faults.map(({ outage }) => outage.kind)).toEqual(['fast restart', 'fast restart', 'kill -9']);
    expect(loadFinished, 'every delivery answered 200 in the end').toBe(true);

    // While the database was down: 429 with Retry-After, never a refused connection, a timeout or a 5xx.
    expect(summary.networkErrors, JSON.stringify(summary.byStatus)).toBe(0);
    expect(summary.serverErrors, JSON.stringify(summary.byStatus)).toBe(0);
    expect(Object.keys(summary.byStatus).sort()).toEqual(['200', '429']);
    expect(summary.tooManyRequestsWithoutRetryAfter).toBe(0);
    for (const { outage, recovery } of faults) {
      const answeredWhileDown = sender.attempts.filter(
        (attempt) => attempt.endedAt >= outage.downAt && attempt.endedAt <= outage.upAt,
      );
      expect(
        answeredWhileDown.some((attempt) => attempt.status === 429),
        `a 429 while the server was down (${outage.kind})`,
      ).toBe(true);
      expect(recovery, `a delivery answered 200 within 15 s of the ${outage.kind}`).toBeDefined();
      expect(recovery!.endedAt - outage.upAt).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
    }

    // Every event landed once, was applied or found stale, and the latest of each contact won.
    expect(drainMs, `the queue drains within ${DRAIN_SECONDS} s: ${JSON.stringify(outcomes)}`).toBeDefined();
    expect(outcomes.reduce((sum, { count }) => sum + count, 0)).toBe(EVENTS);
    expect(
      await query(databaseUrl, 'SELECT queue, reason FROM ghl_sync.sync_dead_letters LIMIT 5'),
      'no dead letters',
    ).toEqual([]);
    // The outage spent no attempt of SYNC_RETRY_DELAYS (default, 1 minute first): no retry job, no pg-boss retry.
    expect(
      await query(
        databaseUrl,
        `SELECT data->>'attempt' AS attempt, retry_count, state FROM pgboss.job
          WHERE name = 'sync.inbound-events' AND (data ? 'attempt' OR retry_count > 0) LIMIT 5`,
      ),
      // Which failure spent the attempt, from the workers' own log lines (it has flaked once: attempt 2, cause unseen).
      `no retries: ${JSON.stringify(
        processes.flatMap(({ service }) =>
          service.logs
            .filter((line) => line.msg === 'sync attempt failed; retry scheduled')
            .map(({ errorClass, err }) => ({ errorClass, err })),
        ),
      )}`,
    ).toEqual([]);
    const contacts = await query<ContactRow>(
      databaseUrl,
      `SELECT c.ghl_contact_id, c.email, c.first_name, c.last_name, c.ghl_updated_at, c.deleted_at, c.email_conflict,
              coalesce(array_agg(t.tag ORDER BY t.tag) FILTER (WHERE t.tag IS NOT NULL), '{}') AS tags
         FROM contacts c LEFT JOIN contact_tags t ON t.contact_id = c.id
        GROUP BY c.id ORDER BY c.ghl_contact_id`,
    );
    expect(
      contacts.map((row) => ({
        ghlContactId: row.ghl_contact_id,
        email: row.email,
        firstName: row.first_name,
        lastName: row.last_name,
        tags: row.tags,
        ghlUpdatedAt: row.ghl_updated_at.toISOString(),
        deletedAt: row.deleted_at,
        emailConflict: row.email_conflict,
      })),
    ).toEqual(
      sender
        .expectedContacts()
        .map((expected) => ({ ...expected, tags: [...expected.tags], deletedAt: null, emailConflict: null }))
        .sort((a, b) => (a.ghlContactId < b.ghlContactId ? -1 : 1)),
    );

    // Readiness said so: 503 naming the database during an outage, 200 at the end, in every process.
    for (const { running, poller } of pollers) {
      const downDuringOutage = poller.samples.filter(
        (sample) =>
          sample.status === 503 &&
          sample.database === 'down' &&
          faults.some(({ outage }) => sample.at >= outage.downAt && sample.at <= outage.upAt),
      );
      expect(downDuringOutage.length, `SERVICE_ROLE=${running.role}: 503 with database down`).toBeGreaterThan(0);
    }
    expect(finalReadiness).toEqual(processes.map(() => 200));
  };

  /** Per variant: the load, three faults with their recoveries, the drain and the shutdown, with room to spare. */
  const timeoutMs =
    MIN_LOAD_SECONDS * 1000 +
    (EVENTS * 1.2 * 1000) / RATE_PER_SECOND +
    FAULTS.length * (RECOVERY_LIMIT_MS + 30_000) +
    DRAIN_SECONDS * 1000 +
    120_000;

  it(
    'SERVICE_ROLE=all: never exits, answers 429 while the database is down, recovers, and loses nothing',
    () => survivesRestarts('all', ['all']),
    timeoutMs,
  );

  it(
    'SERVICE_ROLE=api with two SERVICE_ROLE=worker processes: the same',
    () => survivesRestarts('split', ['api', 'worker', 'worker']),
    timeoutMs,
  );
});
