import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** Runs one query on a short-lived connection (for arranging and asserting rows). */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function onAdminConnection<T>(
  work: (client: pg.Client) => Promise<T>,
  adminUrl: string = inject('adminDatabaseUrl'),
): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database on the test server (or on the server at `adminUrl`), for one test file;
 * `drop()` removes it.
 */
export async function createTestDatabase(
  label: string,
  adminUrl: string = inject('adminDatabaseUrl'),
): Promise<TestDatabase> {
  const name = `t_${label.replace(/\W/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`.toLowerCase();
  await onAdminConnection((client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`), adminUrl);
  const url = withDatabase(adminUrl, name);
  return {
    url,
    name,
    async query<T extends pg.QueryResultRow>(sql: string, values?: unknown[]) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<T>(sql, values)).rows;
      } finally {
        await client.end();
      }
    },
    async drop() {
      await onAdminConnection(
        (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
        adminUrl,
      );
    },
  };
}

/** Makes a database refuse new connections and ends the open ones: Postgres "down" for the app under test. */
export async function takeDatabaseOffline(name: string): Promise<void> {
  await onAdminConnection(async (client) => {
    await client.query(`ALTER DATABASE ${client.escapeIdentifier(name)} ALLOW_CONNECTIONS false`);
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
  });
}

export async function bringDatabaseOnline(name: string): Promise<void> {
  await onAdminConnection((client) =>
    client.query(`ALTER DATABASE ${client.escapeIdentifier(name)} ALLOW_CONNECTIONS true`),
  );
}
