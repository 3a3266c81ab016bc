import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMigrationFiles } from '../../src/database/migrations/migration-files.js';
import { MigrationError, runMigrations } from '../../src/database/migrations/migration-runner.js';
import { MIGRATIONS_DIR } from '../../src/paths.js';
import { ALL_MIGRATIONS } from '../support/migrations.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const logger = pino({ level: 'silent' });
const FOUNDATION = '20261128230000_foundation';

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

describe('offline migration runner', () => {
  let database: TestDatabase;
  let scratch: string;

  beforeEach(async () => {
    database = await createTestDatabase('migrations');
    scratch = mkdtempSync(join(tmpdir(), 'migrations-'));
  });

  afterEach(async () => {
    await database.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const rows = () =>
    database.query<MigrationRow>('SELECT * FROM ghl_sync._prisma_migrations ORDER BY started_at, migration_name');
  const tables = async () =>
    (
      await database.query<{ table_name: string }>(
        `SELECT table_schema || '.' || table_name AS table_name FROM information_schema.tables
          WHERE table_schema IN ('public', 'ghl_sync') ORDER BY table_name`,
      )
    ).map((row) => row.table_name);

  function withExtraMigration(name: string, sql: string): string {
    const directory = join(scratch, 'migrations');
    cpSync(MIGRATIONS_DIR, directory, { recursive: true });
    mkdirSync(join(directory, name));
    writeFileSync(join(directory, name, 'migration.sql'), sql);
    return directory;
  }

  it('applies the migrations and records them the way Prisma does', async () => {
    const result = await runMigrations(database.url, readMigrationFiles(MIGRATIONS_DIR), logger);

    expect(result).toEqual({ applied: ALL_MIGRATIONS, alreadyApplied: 0 });
    expect(await tables()).toEqual(
      expect.arrayContaining(['ghl_sync._prisma_migrations', 'ghl_sync.sync_events', 'public.contacts']),
    );
    const [row] = await rows();
    const sql = readFileSync(join(MIGRATIONS_DIR, FOUNDATION, 'migration.sql'));
    expect(row).toMatchObject({
      migration_name: FOUNDATION,
      checksum: createHash('sha256').update(sql).digest('hex'),
      rolled_back_at: null,
      logs: null,
      applied_steps_count: 1,
    });
    expect(row!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(row!.finished_at).toBeInstanceOf(Date);
    const columns = await database.query<{ column_name: string; data_type: string }>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'ghl_sync' AND table_name = '_prisma_migrations' ORDER BY ordinal_position",
    );
    expect(columns.map((column) => `${column.column_name}:${column.data_type}`)).toEqual([
      'id:character varying',
      'checksum:character varying',
      'finished_at:timestamp with time zone',
      'migration_name:character varying',
      'logs:text',
      'rolled_back_at:timestamp with time zone',
      'started_at:timestamp with time zone',
      'applied_steps_count:integer',
    ]);
  });

  it('does nothing the second time', async () => {
    await runMigrations(database.url, readMigrationFiles(MIGRATIONS_DIR), logger);
    const second = await runMigrations(database.url, readMigrationFiles(MIGRATIONS_DIR), logger);
    expect(second).toEqual({ applied: [], alreadyApplied: ALL_MIGRATIONS.length });
    expect(await rows()).toHaveLength(ALL_MIGRATIONS.length);
  });

  it('lets only one of several instances starting at once apply each migration', async () => {
    const migrations = readMigrationFiles(MIGRATIONS_DIR);
    const results = await Promise.all(Array.from({ length: 4 }, () => runMigrations(database.url, migrations, logger)));
    expect(results.map((result) => result.applied.length).sort()).toEqual([0, 0, 0, ALL_MIGRATIONS.length]);
    expect((await rows()).map((row) => row.migration_name)).toEqual(ALL_MIGRATIONS);
  });

  it('stops on a failing migration, naming it and the SQL error, and leaves the schema as it was', async () => {
    await runMigrations(database.url, readMigrationFiles(MIGRATIONS_DIR), logger);
    const directory = withExtraMigration(
      '20991201000000_broken',
      'CREATE TABLE "half_done" (id INT);\n\nALTER TABLE "no_such_table" ADD COLUMN x INT;\n',
    );

    const failure = runMigrations(database.url, readMigrationFiles(directory), logger);
    await expect(failure).rejects.toThrow(MigrationError);
    await expect(failure).rejects.toThrow(
      'Migration 20991201000000_broken failed and was rolled back: relation "no_such_table" does not exist, SQLSTATE 42P01',
    );

    expect(await tables()).not.toContain('public.half_done');
    const failed = (await rows()).find((row) => row.migration_name === '20991201000000_broken');
    expect(failed).toMatchObject({ finished_at: null, applied_steps_count: 0 });
    expect(failed!.rolled_back_at).toBeInstanceOf(Date);
    expect(failed!.logs).toContain('relation "no_such_table" does not exist');
  });

  it('points at the line of a syntax error', async () => {
    const directory = withExtraMigration('20991201000000_typo', '-- AddTable\n\nCREATE TABL "typo" (id INT);\n');
    await expect(runMigrations(database.url, readMigrationFiles(directory), logger)).rejects.toThrow(
      'Migration 20991201000000_typo failed and was rolled back: syntax error at or near "TABL", SQLSTATE 42601, at line 3 of migration.sql',
    );
  });

  it('applies a repaired migration on the next run', async () => {
    const broken = withExtraMigration('20991201000000_next', 'ALTER TABLE "no_such_table" ADD COLUMN x INT;');
    await expect(runMigrations(database.url, readMigrationFiles(broken), logger)).rejects.toThrow(MigrationError);

    writeFileSync(join(broken, '20991201000000_next', 'migration.sql'), 'CREATE TABLE "next_table" (id INT);');
    const result = await runMigrations(database.url, readMigrationFiles(broken), logger);

    expect(result.applied).toEqual(['20991201000000_next']);
    expect(await tables()).toContain('public.next_table');
    const attempts = (await rows()).filter((row) => row.migration_name === '20991201000000_next');
    expect(attempts.map((row) => [row.finished_at !== null, row.rolled_back_at !== null])).toEqual([
      [false, true],
      [true, false],
    ]);
  });

  it('refuses to start over a migration Prisma left half-applied', async () => {
    await runMigrations(database.url, readMigrationFiles(MIGRATIONS_DIR), logger);
    await database.query(
      `INSERT INTO ghl_sync._prisma_migrations (id, checksum, migration_name, started_at) VALUES (gen_random_uuid(), 'x', '20991202000000_stuck', now())`,
    );
    await expect(runMigrations(database.url, readMigrationFiles(MIGRATIONS_DIR), logger)).rejects.toThrow(
      /Migration 20991202000000_stuck is recorded as started but neither finished nor rolled back.*prisma migrate resolve/,
    );
  });
});
