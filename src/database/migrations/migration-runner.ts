import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { INTERNAL_SCHEMA } from '../internal-schema.js';
import { survivesLostServer } from '../lost-connections.js';
import { matchesChecksum, type MigrationFile } from './migration-files.js';

/** The advisory lock key Prisma Migrate itself takes, so this runner and `prisma migrate deploy` exclude each other. */
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

/** Prisma's bookkeeping table, in the internal schema (where `?schema=ghl_sync` points Prisma's CLI). */
const MIGRATIONS_TABLE = `"${INTERNAL_SCHEMA}"."_prisma_migrations"`;

/** Created exactly as Prisma's schema engine creates it. */
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {
  constructor(
    readonly migrationName: string,
    message: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export interface MigrationResult {
  readonly applied: string[];
  readonly alreadyApplied: number;
}

/**
 * Applies pending migrations from prisma/migrations without Prisma's schema engine (which these
 * machines cannot download), writing the same `_prisma_migrations` rows Prisma writes. Each
 * migration runs in its own transaction, so a failure leaves the schema as it was; the failed
 * attempt is recorded as rolled back (what `prisma migrate resolve --rolled-back` would write), and
 * the next start retries it. See docs/adr/0002-offline-migration-runner.md.
 */
export async function runMigrations(
  connectionString: string,
  migrations: readonly MigrationFile[],
  logger: Logger,
): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString, application_name: 'trainu-ghl-sync:migrate' });
  survivesLostServer(client, logger);
  await client.connect();
  try {
    // Session-level lock: a second instance starting at the same time waits here, then finds nothing to do.
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
    await prepareMigrationsTable(client);
    const rows = (
      await client.query<MigrationRow>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at FROM ${MIGRATIONS_TABLE} ORDER BY started_at`,
      )
    ).rows;
    refuseUnresolvedFailures(rows);
    if (rows.length === 0) await refuseLostHistory(client, migrations);

    const applied = new Map(
      rows.filter((row) => row.finished_at && !row.rolled_back_at).map((row) => [row.migration_name, row]),
    );
    warnAboutDivergence(migrations, applied, logger);

    const pending = migrations.filter((migration) => !applied.has(migration.name));
    for (const migration of pending) {
      await applyOne(client, migration, logger);
    }
    if (pending.length === 0) logger.info({ applied: applied.size }, 'database schema is up to date');
    return { applied: pending.map((migration) => migration.name), alreadyApplied: applied.size };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

/**
 * Creates the internal schema and the bookkeeping table in it. A database migrated before the
 * internal schema existed keeps its history in `public._prisma_migrations`: that table is moved,
 * rows and all, so the history (and Prisma's view of it) carries over.
 */
async function prepareMigrationsTable(client: pg.Client): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${INTERNAL_SCHEMA}"`);
    const { rows } = await client.query<{ legacy: boolean; current: boolean }>(
      `SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS legacy,
              to_regclass($1) IS NOT NULL AS current`,
      [MIGRATIONS_TABLE],
    );
    if (rows[0]!.legacy && !rows[0]!.current)
      await client.query(`ALTER TABLE public."_prisma_migrations" SET SCHEMA "${INTERNAL_SCHEMA}"`);
    await client.query(CREATE_MIGRATIONS_TABLE);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function applyOne(client: pg.Client, migration: MigrationFile, logger: Logger): Promise<void> {
  const id = randomUUID();
  const startedAt = Date.now();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO ${MIGRATIONS_TABLE} (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
      [id, migration.checksum, migration.name],
    );
    // Migrations written before the internal schema name no schema: they mean `public`, whatever the
    // role's search_path says (Supabase sets "$user", public, extensions). Later ones name every schema.
    await client.query('SET LOCAL search_path TO public');
    await client.query(migration.sql);
    await client.query(`UPDATE ${MIGRATIONS_TABLE} SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [
      id,
    ]);
    await client.query('COMMIT');
    logger.info({ migration: migration.name, durationMs: Date.now() - startedAt }, 'applied migration');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const reason = describeSqlError(error, migration.sql);
    await client
      .query(
        `INSERT INTO ${MIGRATIONS_TABLE} (id, checksum, migration_name, logs, rolled_back_at, started_at) VALUES ($1, $2, $3, $4, now(), now())`,
        [randomUUID(), migration.checksum, migration.name, reason],
      )
      .catch(() => undefined);
    throw new MigrationError(migration.name, `Migration ${migration.name} failed and was rolled back: ${reason}`);
  }
}

/** A row Prisma left half-applied (no finish, no rollback) needs an operator, as `prisma migrate deploy` says (P3009). */
function refuseUnresolvedFailures(rows: readonly MigrationRow[]): void {
  const stuck = rows.find((row) => !row.finished_at && !row.rolled_back_at);
  if (stuck) {
    throw new MigrationError(
      stuck.migration_name,
      `Migration ${stuck.migration_name} is recorded as started but neither finished nor rolled back. ` +
        'Inspect the database, then mark it with `npx prisma migrate resolve --rolled-back ' +
        `${stuck.migration_name}\` (or --applied) before starting again.`,
    );
  }
}

/**
 * No history, yet the internal schema holds the service's tables: the bookkeeping table was lost.
 * Applying from the first migration would recreate empty copies of the internal tables in
 * `public`, so stop, as `prisma migrate deploy` does on a non-empty schema without history (P3005).
 */
async function refuseLostHistory(client: pg.Client, migrations: readonly MigrationFile[]): Promise<void> {
  const { rows } = await client.query(
    "SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename <> '_prisma_migrations' LIMIT 1",
    [INTERNAL_SCHEMA],
  );
  if (rows.length === 0) return;
  throw new MigrationError(
    migrations[0]?.name ?? '(none)',
    `The migration history ${MIGRATIONS_TABLE} is empty, but schema "${INTERNAL_SCHEMA}" already holds the ` +
      "service's tables. Restore the history table, or record the migrations the database already has with " +
      '`npx prisma migrate resolve --applied <name>`, before starting again.',
  );
}

function warnAboutDivergence(
  migrations: readonly MigrationFile[],
  applied: ReadonlyMap<string, MigrationRow>,
  logger: Logger,
): void {
  const onDisk = new Set(migrations.map((migration) => migration.name));
  for (const migration of migrations) {
    const row = applied.get(migration.name);
    if (row && !matchesChecksum(migration.sql, row.checksum)) {
      logger.warn(
        { migration: migration.name },
        'migration.sql was edited after it was applied; the database keeps the old version',
      );
    }
  }
  for (const name of applied.keys()) {
    if (!onDisk.has(name))
      logger.warn({ migration: name }, 'database has a migration that is not in prisma/migrations');
  }
}

function describeSqlError(error: unknown, sql: string): string {
  if (!(error instanceof Error)) return String(error);
  const { position, code } = error as Error & { position?: string; code?: string };
  const line = position ? sql.slice(0, Number(position)).split('\n').length : undefined;
  return [error.message, code && `SQLSTATE ${code}`, line && `at line ${line} of migration.sql`]
    .filter(Boolean)
    .join(', ');
}
