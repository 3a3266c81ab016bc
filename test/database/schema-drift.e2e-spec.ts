import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMigrationFiles } from '../../src/database/migrations/migration-files.js';
import { runMigrations } from '../../src/database/migrations/migration-runner.js';
import { MIGRATIONS_DIR } from '../../src/paths.js';
import { describeDatabaseSchema, describePrismaSchema } from '../support/schema-description.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('schema.prisma and prisma/migrations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('drift');
    await runMigrations(database.url, readMigrationFiles(MIGRATIONS_DIR), pino({ level: 'silent' }));
  });

  afterAll(() => database.drop());

  it('describe the same tables, columns, types, nullability, defaults, indexes, keys and enums', async () => {
    expect(await describeDatabaseSchema(database)).toEqual(describePrismaSchema());
  });

  it('would notice a migration that diverges from the schema', async () => {
    await database.query('ALTER TABLE ghl_sync.sync_events ALTER COLUMN correlation_id DROP NOT NULL');
    await database.query('ALTER TABLE ghl_sync.sync_events ADD COLUMN extra INT');
    await database.query('DROP INDEX ghl_sync.sync_events_idempotency_key_key');
    await database.query("ALTER TYPE ghl_sync.dead_letter_status ADD VALUE 'ARCHIVED'");

    const actual = await describeDatabaseSchema(database);
    const expected = describePrismaSchema();

    expect(actual).not.toEqual(expected);
    expect(actual.tables['ghl_sync.sync_events']!.columns.correlation_id).toBe('text NULL');
    expect(expected.tables['ghl_sync.sync_events']!.columns.correlation_id).toBe('text NOT NULL');
    expect(actual.tables['ghl_sync.sync_events']!.columns.extra).toBe('integer NULL');
    expect(expected.tables['ghl_sync.sync_events']!.indexes).toContain('unique(idempotency_key)');
    expect(actual.tables['ghl_sync.sync_events']!.indexes).not.toContain('unique(idempotency_key)');
    expect(actual.enums['ghl_sync.dead_letter_status']).toEqual(['OPEN', 'REPLAYED', 'DISCARDED', 'ARCHIVED']);
  });
});
