import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { PROJECT_ROOT } from '../../src/paths.js';
import type { TestDatabase } from './test-database.js';

/** The roles Supabase's Data API runs requests as: the anon key, and a signed-in user. */
export const SUPABASE_API_ROLES = ['anon', 'authenticated'] as const;

/**
 * Sets a database up the way Supabase does before any migration runs: its roles, and the
 * default privileges that hand `anon` and `authenticated` everything created in `public`
 * (Supabase's own statements, with their sources, in supabase-init.sql).
 */
export async function applySupabaseInit(database: TestDatabase): Promise<void> {
  await database.query(readFileSync(join(PROJECT_ROOT, 'test/support/supabase-init.sql'), 'utf8'));
}

/**
 * Every table, view and sequence (and function) outside the system schemas, not owned by an
 * extension, that `anon` or `authenticated` can use: schema USAGE plus any privilege on it.
 * What the Data API could reach; the service's migrations must leave it empty.
 */
export async function reachableByApiRoles(database: TestDatabase): Promise<string[]> {
  const rows = await database.query<{ reachable: string }>(
    `WITH roles AS (SELECT rolname FROM pg_roles WHERE rolname = ANY($1)),
          relations AS (
            SELECT n.nspname AS schema, c.relname AS name, c.oid, c.relkind
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
               AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')),
          functions AS (
            SELECT n.nspname AS schema, p.proname AS name, p.oid
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e'))
     SELECT r.rolname || ' → ' || o.schema || '.' || o.name AS reachable
       FROM relations o CROSS JOIN roles r
      WHERE has_schema_privilege(r.rolname, o.schema, 'USAGE')
        AND CASE WHEN o.relkind = 'S' THEN has_sequence_privilege(r.rolname, o.oid, 'USAGE, SELECT, UPDATE')
                 ELSE has_table_privilege(r.rolname, o.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') END
     UNION ALL
     SELECT r.rolname || ' → ' || f.schema || '.' || f.name || '()'
       FROM functions f CROSS JOIN roles r
      WHERE has_schema_privilege(r.rolname, f.schema, 'USAGE') AND has_function_privilege(r.rolname, f.oid, 'EXECUTE')
      ORDER BY 1`,
    [SUPABASE_API_ROLES],
  );
  return rows.map((row) => row.reachable);
}

/** Tables in `public` without Row Level Security: what the Data API would serve once granted. */
export async function publicTablesWithoutRls(database: TestDatabase): Promise<string[]> {
  const rows = await database.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

/** Every table in every schema but the system ones, `schema.table`, with its first column. */
export async function allTables(database: TestDatabase): Promise<{ table: string; column: string }[]> {
  return database.query<{ table: string; column: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS table,
            (SELECT quote_ident(a.attname) FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum LIMIT 1) AS column
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg_toast%'
      ORDER BY 1`,
  );
}

/**
 * Runs `sql` as `role` (SET ROLE inside a transaction that is rolled back, as PostgREST does it),
 * returning the SQLSTATE it failed with, or undefined if it ran.
 */
export async function sqlStateAs(database: TestDatabase, role: string, sql: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL ROLE ${client.escapeIdentifier(role)}`);
    await client.query(sql);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code ?? 'unknown';
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}
