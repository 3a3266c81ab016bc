import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresServer } from '../../src/database/embedded/embedded-postgres.server.js';
import { anyFreePort } from '../../src/database/embedded/free-port.js';
import { readMigrationFiles, type MigrationFile } from '../../src/database/migrations/migration-files.js';
import { runMigrations } from '../../src/database/migrations/migration-runner.js';
import { MIGRATIONS_DIR } from '../../src/paths.js';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { postGraphql } from '../support/graphql-client.js';
import { ServiceProcess } from '../support/service-process.js';
import { eventually, startTestApp, TEST_API_KEY } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import {
  allTables,
  applySupabaseInit,
  publicTablesWithoutRls,
  reachableByApiRoles,
  sqlStateAs,
  SUPABASE_API_ROLES,
} from '../support/supabase.js';

const silent = pino({ level: 'silent' });
const MIGRATIONS = readMigrationFiles(MIGRATIONS_DIR);
/** The last migration before the internal schema: what a deployment of the previous release holds. */
const BEFORE_INTERNAL_SCHEMA = MIGRATIONS.filter((migration) => migration.name < '20261202000000');
/**
 * The release that moved the tables: the upgrade tests apply up to it, so later migrations (which
 * add columns, ADR 0017) do not change the rows they compare; the service applies the rest.
 */
const THROUGH_INTERNAL_SCHEMA = MIGRATIONS.filter(
  (migration) => migration.name <= '20261202000000_supabase_storage_layout',
);
const SYNCED_TABLES = [
  'bookings',
  'contact_custom_fields',
  'contact_tags',
  'contacts',
  'opportunities',
  'pipeline_stages',
  'pipelines',
];
const INTERNAL_TABLES = [
  'backfill_seen',
  'domain_events',
  'ghl_rate_limits',
  'ghl_request_grants',
  'sync_cursors',
  'sync_dead_letters',
  'sync_events',
];
/** Internal tables of later migrations than the move: not in the upgrade tests' rows. */
const LATER_INTERNAL_TABLES = [
  'backfill_runs',
  'contact_outbox',
  'contact_sync_state',
  'intake_duplicates',
  'outbound_echoes',
  'outbound_plans',
  'outbound_writes',
  'sync_conflicts',
];
/** The outbox's trigger functions (ADR 0019): SECURITY DEFINER, so nobody but the owner may run them. */
const OUTBOX_TRIGGER_FUNCTIONS = [
  'capture_contact_change',
  'capture_contact_custom_field_change',
  'capture_contact_tag_change',
];
const PERMISSION_DENIED = '42501';

/**
 * A server of this file's own (a fresh embedded PostgreSQL): Supabase's roles are cluster-wide,
 * so the plain-Postgres case (no such roles) can only be proven on a server nobody else set up.
 * With TEST_DATABASE_URL the Supabase-shaped case runs there too (that server keeps the roles).
 */
const servers: { name: string; plain: boolean; start: () => Promise<{ adminUrl: string; stop(): Promise<void> }> }[] = [
  {
    name: 'its own embedded PostgreSQL',
    plain: true,
    start: async () => {
      const port = await anyFreePort();
      const dataDir = join(tmpdir(), `trainu-supabase-pg-${process.pid}-${port}`);
      const server = await EmbeddedPostgresServer.start({ dataDir, logger: silent, ephemeral: true, port });
      return { adminUrl: server.urlFor('postgres'), stop: () => server.stop() };
    },
  },
  ...(process.env.TEST_DATABASE_URL
    ? [
        {
          name: 'the TEST_DATABASE_URL server',
          plain: false,
          start: () => Promise.resolve({ adminUrl: process.env.TEST_DATABASE_URL!, stop: () => Promise.resolve() }),
        },
      ]
    : []),
];

/** Migrations as the previous release applied them: history in public._prisma_migrations, no search_path set. */
async function migrateAsThePreviousRelease(database: TestDatabase, migrations: readonly MigrationFile[]) {
  await database.query(`CREATE TABLE "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
  for (const migration of migrations) {
    await database.query(
      `BEGIN; ${migration.sql};
       INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
         VALUES (gen_random_uuid(), '${migration.checksum}', '${migration.name}', now(), 1); COMMIT;`,
    );
  }
}

/** One row in each of the 14 tables the previous release kept in public. */
async function fillEveryTable(database: TestDatabase): Promise<void> {
  await database.query(`
    INSERT INTO contacts (id, ghl_contact_id, email, phone, first_name, last_name, ghl_updated_at)
      VALUES ('00000000-0000-4000-8000-000000000001', 'ghl-kept', 'kept@example.com', '+14155550100', 'Kept', 'Row', '2026-11-30T10:00:00Z');
    INSERT INTO contact_tags (contact_id, tag) VALUES ('00000000-0000-4000-8000-000000000001', 'vip');
    INSERT INTO contact_custom_fields (contact_id, field_id, value) VALUES ('00000000-0000-4000-8000-000000000001', 'goal', 'run 10k');
    INSERT INTO pipelines (id, ghl_pipeline_id, name) VALUES ('00000000-0000-4000-8000-000000000002', 'pipe-kept', 'Sales');
    INSERT INTO pipeline_stages (id, pipeline_id, ghl_stage_id, name, position)
      VALUES ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002', 'stage-kept', 'Lead', 0);
    INSERT INTO opportunities (ghl_opportunity_id, contact_id, pipeline_id, stage_id, name, status)
      VALUES ('opp-kept', '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002',
              '00000000-0000-4000-8000-000000000003', 'Coaching', 'OPEN');
    INSERT INTO bookings (ghl_appointment_id, contact_id, status, starts_at)
      VALUES ('appt-kept', '00000000-0000-4000-8000-000000000001', 'CONFIRMED', '2027-01-05T09:00:00Z');
    INSERT INTO sync_events (idempotency_key, type, correlation_id, payload, outcome, processed_at, received_at)
      VALUES ('kept-key', 'ContactCreate', 'kept-correlation', '{"id":"ghl-kept"}', 'APPLIED', now(), '2026-11-30T10:00:01Z');
    INSERT INTO sync_dead_letters (queue, payload, error_class, reason, playbook, attempts, first_failed_at, last_failed_at)
      VALUES ('sync.inbound-events', '{"eventId":"x"}', 'Unexpected', 'kept dead letter', 'unexpected', 6, now(), now());
    INSERT INTO sync_cursors (location_id, object, cursor, last_completed_at)
      VALUES ('loc-kept', 'contacts', '{"searchAfter":[1,"a"]}', '2026-11-30T03:00:00Z');
    INSERT INTO domain_events (type, aggregate_type, aggregate_id, dedupe_key, payload)
      VALUES ('booking_scheduled', 'booking', '00000000-0000-4000-8000-000000000004', 'kept-event', '{}');
    INSERT INTO ghl_request_grants (location_id) VALUES ('loc-kept'), ('loc-kept');
    INSERT INTO ghl_rate_limits (location_id, day, daily_used) VALUES ('loc-kept', '2026-11-30', 42);
    INSERT INTO backfill_seen (location_id, object, ghl_id) VALUES ('loc-kept', 'contacts', 'ghl-kept');`);
}

/** Every row of every table the service keeps, by table name (wherever its schema), as JSON. */
async function everyRow(database: TestDatabase, schemaOf: (table: string) => string) {
  const tables = [...SYNCED_TABLES, ...INTERNAL_TABLES, '_prisma_migrations'];
  const rows: Record<string, unknown[]> = {};
  for (const table of tables) {
    rows[table] = (
      await database.query<{ row: unknown }>(`SELECT to_jsonb(t) AS row FROM ${schemaOf(table)}.${table} t ORDER BY 1`)
    ).map((entry) => entry.row);
  }
  return rows;
}

const internal = (table: string) =>
  INTERNAL_TABLES.includes(table) || table === '_prisma_migrations' ? 'ghl_sync' : 'public';

describe.each(servers)('storage layout on $name', ({ plain, start }) => {
  let server: { adminUrl: string; stop(): Promise<void> };
  const databases: TestDatabase[] = [];
  const newDatabase = async (label: string) => {
    const database = await createTestDatabase(label, server.adminUrl);
    databases.push(database);
    return database;
  };

  beforeAll(async () => {
    server = await start();
  });

  afterAll(async () => {
    for (const database of databases) await database.drop();
    await server.stop();
  });

  describe.runIf(plain)('plain PostgreSQL, without Supabase’s roles', () => {
    it('migrates, with RLS on every synced table and nothing in public but them', async () => {
      const database = await newDatabase('plain');
      expect(await database.query("SELECT rolname FROM pg_roles WHERE rolname IN ('anon', 'authenticated')")).toEqual(
        [],
      );
      await runMigrations(database.url, MIGRATIONS, silent);
      expect(await publicTablesWithoutRls(database)).toEqual([]);
      const tables = (await allTables(database)).map((entry) => entry.table);
      expect(tables.sort()).toEqual(
        [
          ...[...INTERNAL_TABLES, ...LATER_INTERNAL_TABLES, '_prisma_migrations'].map((table) => `ghl_sync.${table}`),
          ...SYNCED_TABLES.map((table) => `public.${table}`),
        ].sort(),
      );
    });

    it('upgrades a database of the previous release in place, every row kept', async () => {
      const database = await newDatabase('plain_upgrade');
      await migrateAsThePreviousRelease(database, BEFORE_INTERNAL_SCHEMA);
      await fillEveryTable(database);
      const before = await everyRow(database, () => 'public');

      const result = await runMigrations(database.url, THROUGH_INTERNAL_SCHEMA, silent);

      expect(result.applied).toEqual(['20261202000000_supabase_storage_layout']);
      const after = await everyRow(database, internal);
      expect(after).toEqual({
        ...before,
        _prisma_migrations: expect.arrayContaining(before._prisma_migrations!) as unknown[],
      });
      expect(after._prisma_migrations).toHaveLength(BEFORE_INTERNAL_SCHEMA.length + 1);
      expect(await database.query("SELECT to_regclass('public._prisma_migrations') AS old")).toEqual([{ old: null }]);
      // The grant sequence moved with its table and carries on.
      const [next] = await database.query<{ id: string }>(
        "INSERT INTO ghl_sync.ghl_request_grants (location_id) VALUES ('loc-kept') RETURNING id",
      );
      expect(Number(next!.id)).toBe(3);
    });
  });

  describe('a database set up as Supabase sets one up', () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await newDatabase('supabase');
      await applySupabaseInit(database);
      const migrate = new ServiceProcess(tmpdir(), { DATABASE_URL: database.url }, 'dist/cli/db-migrate.js');
      expect(await migrate.exited).toBe(0); // npm run db:migrate
    });

    it('has Supabase’s roles and default grants (else the test below proves nothing)', async () => {
      const [grants] = await database.query<{ defaults: string[] }>(
        "SELECT array_agg(DISTINCT a.grantee::regrole::text) AS defaults FROM pg_default_acl d, aclexplode(d.defaclacl) a WHERE d.defaclnamespace = 'public'::regnamespace",
      );
      expect(grants!.defaults).toEqual(expect.arrayContaining([...SUPABASE_API_ROLES]));
    });

    it('lets `npm start` sync a signed webhook and answer GraphQL there, connected as the owner', async () => {
      const ghl = new GhlStandIn();
      const service = new ServiceProcess(tmpdir(), {
        ...ghl.env(),
        DATABASE_URL: database.url,
        GRAPHQL_API_KEYS: TEST_API_KEY,
      });
      try {
        const url = await service.listening();
        const event = ghl.contactEvent('ContactCreate', { email: 'Supabase.Person@Example.com' });
        expect((await ghl.deliver(url, event)).status).toBe(200);
        const contact = await eventually(async () => {
          const response = await postGraphql(url, `{ contact(ghlContactId: "${event.id as string}") { email } }`, {
            apiKey: TEST_API_KEY,
          });
          const body = (await response.json()) as { data: { contact: { email: string } | null } };
          return body.data.contact ?? undefined;
        });
        expect(contact).toEqual({ email: 'supabase.person@example.com' });
      } finally {
        expect(await service.stop()).toBe(0);
      }
    });

    it.each(SUPABASE_API_ROLES)(
      'refuses %s SELECT, INSERT, UPDATE and DELETE on every table the service created, in every schema',
      async (role) => {
        const tables = await allTables(database);
        // public, ghl_sync and pg-boss's schema (created when the service started above).
        expect(new Set(tables.map((entry) => entry.table.split('.')[0]))).toEqual(
          new Set(['public', 'ghl_sync', 'pgboss']),
        );
        const outcomes: Record<string, (string | undefined)[]> = {};
        for (const { table, column } of tables) {
          outcomes[table] = [
            await sqlStateAs(database, role, `SELECT * FROM ${table} LIMIT 1`),
            await sqlStateAs(database, role, `INSERT INTO ${table} DEFAULT VALUES`),
            await sqlStateAs(database, role, `UPDATE ${table} SET ${column} = ${column}`),
            await sqlStateAs(database, role, `DELETE FROM ${table}`),
          ];
        }
        const everyTableRefused = Object.fromEntries(
          tables.map(({ table }) => [table, Array(4).fill(PERMISSION_DENIED)]),
        );
        expect(outcomes).toEqual(everyTableRefused);
      },
    );

    it.each(SUPABASE_API_ROLES)(
      "gives %s no EXECUTE on the functions of ghl_sync: the outbox triggers (SECURITY DEFINER, search_path pinned) and the migrations' revoke helper",
      async (role) => {
        const functions = await database.query<{
          name: string;
          definer: boolean;
          config: string[] | null;
          executable: boolean;
        }>(
          `SELECT p.proname AS name, p.prosecdef AS definer, p.proconfig AS config,
                  has_function_privilege($1, p.oid, 'EXECUTE') AS executable
             FROM pg_proc p WHERE p.pronamespace = 'ghl_sync'::regnamespace ORDER BY 1`,
          [role],
        );
        const revokeHelper = { name: 'revoke_data_api_privileges', definer: false, config: null, executable: false };
        expect(functions).toEqual([
          ...OUTBOX_TRIGGER_FUNCTIONS.map((name) => ({
            name,
            definer: true,
            config: ['search_path=pg_catalog, pg_temp'],
            executable: false,
          })),
          revokeHelper,
        ]);
      },
    );

    it('records a change TrainU writes as service_role, which holds no privilege on ghl_sync', async () => {
      expect(await sqlStateAs(database, 'service_role', 'SELECT * FROM ghl_sync.contact_outbox')).toBe(
        PERMISSION_DENIED,
      );
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL ROLE service_role');
        await client.query("INSERT INTO public.contacts (email) VALUES ('trainu.app@example.com')");
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
      const rows = await database.query<{ op: string; changed_fields: string[] }>(
        `SELECT o.op, o.changed_fields FROM ghl_sync.contact_outbox o JOIN public.contacts c ON c.id = o.contact_id
          WHERE c.email = 'trainu.app@example.com'`,
      );
      expect(rows).toEqual([{ op: 'insert', changed_fields: ['email'] }]);
    });

    it('leaves nothing anon or authenticated can reach, and would notice a table a future migration exposes', async () => {
      expect(await reachableByApiRoles(database)).toEqual([]);
      expect(await publicTablesWithoutRls(database)).toEqual([]);

      // What a careless future migration does: a plain CREATE TABLE in public.
      await database.query('CREATE TABLE public.future_report (id int)');
      try {
        expect(await reachableByApiRoles(database)).toEqual([
          'anon → public.future_report',
          'authenticated → public.future_report',
        ]);
        expect(await publicTablesWithoutRls(database)).toEqual(['future_report']);
        expect(await sqlStateAs(database, 'anon', 'SELECT * FROM public.future_report')).toBeUndefined();
      } finally {
        await database.query('DROP TABLE public.future_report');
      }
    });

    it('upgrades a Supabase database of the previous release in place: every row kept, and anon loses it all', async () => {
      const old = await newDatabase('supabase_upgrade');
      await applySupabaseInit(old);
      await migrateAsThePreviousRelease(old, BEFORE_INTERNAL_SCHEMA);
      await fillEveryTable(old);
      // The leak the previous release had.
      expect(await sqlStateAs(old, 'anon', 'SELECT email FROM contacts')).toBeUndefined();
      expect(await reachableByApiRoles(old)).toContain('anon → public._prisma_migrations');
      const before = await everyRow(old, () => 'public');

      await runMigrations(old.url, THROUGH_INTERNAL_SCHEMA, silent);

      const after = await everyRow(old, internal);
      expect(after).toEqual({
        ...before,
        _prisma_migrations: expect.arrayContaining(before._prisma_migrations!) as unknown[],
      });
      expect(await reachableByApiRoles(old)).toEqual([]);
      expect(await sqlStateAs(old, 'anon', 'SELECT email FROM contacts')).toBe(PERMISSION_DENIED);
      expect(
        await sqlStateAs(
          old,
          'anon',
          "INSERT INTO ghl_sync._prisma_migrations (id, checksum, migration_name) VALUES ('x', 'x', 'x')",
        ),
      ).toBe(PERMISSION_DENIED);

      // The service runs on the upgraded database and still has its history and rows.
      const service = await startTestApp(old.url);
      try {
        const response = await service.graphql(
          '{ contact(email: "kept@example.com") { tags customFields { value } bookings { status } opportunities { stage { name } } } deadLetters { totalCount } syncStatus { lastWebhookAt lastBackfillAt } }',
        );
        expect(await response.json()).toEqual({
          data: {
            contact: {
              tags: ['vip'],
              customFields: [{ value: 'run 10k' }],
              bookings: [{ status: 'CONFIRMED' }],
              opportunities: [{ stage: { name: 'Lead' } }],
            },
            deadLetters: { totalCount: 1 },
            syncStatus: { lastWebhookAt: '2026-11-30T10:00:01.000Z', lastBackfillAt: '2026-11-30T03:00:00.000Z' },
          },
        });
      } finally {
        await service.close();
      }
    });
  });
});
