import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EMBEDDED_DATABASE } from '../../src/bootstrap.js';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { postGraphql } from '../support/graphql-client.js';
import { ALL_MIGRATIONS } from '../support/migrations.js';
import { ServiceProcess } from '../support/service-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const checkouts: string[] = [];
const running: ServiceProcess[] = [];
const databases: TestDatabase[] = [];

/** A database on the test server for one test; dropped after it. */
async function newDatabase(label: string): Promise<TestDatabase> {
  const database = await createTestDatabase(label);
  databases.push(database);
  return database;
}

function newCheckout(): string {
  const directory = mkdtempSync(join(tmpdir(), 'trainu-checkout-'));
  // Like a real checkout: readable by others, so Postgres (run as `postgres` when we are root) can reach .data/.
  chmodSync(directory, 0o755);
  checkouts.push(directory);
  return directory;
}

function startService(cwd: string, env: Record<string, string> = {}): ServiceProcess {
  const service = new ServiceProcess(cwd, env);
  running.push(service);
  return service;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function embeddedServerPid(cwd: string): number | undefined {
  const pidFile = join(cwd, '.data/postgres/postmaster.pid');
  return existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
}

function embeddedState(cwd: string): { port: number; password: string } {
  return JSON.parse(readFileSync(join(cwd, '.data/embedded-postgres.json'), 'utf8')) as {
    port: number;
    password: string;
  };
}

async function queryEmbedded<T extends pg.QueryResultRow>(cwd: string, sql: string): Promise<T[]> {
  const state = embeddedState(cwd);
  const client = new pg.Client({
    host: '127.0.0.1',
    port: state.port,
    user: 'postgres',
    password: state.password,
    database: EMBEDDED_DATABASE,
  });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const SYNC_STATUS = '{ syncStatus { queueDepth lastWebhookAt } }';

function syncStatusWith(url: string, apiKey: string): Promise<Response> {
  return postGraphql(url, SYNC_STATUS, { apiKey });
}

async function insertInboxRow(query: (sql: string) => Promise<unknown>, receivedAt: string): Promise<void> {
  await query(
    `INSERT INTO ghl_sync.sync_events (idempotency_key, type, correlation_id, received_at) VALUES ('${receivedAt}', 'ContactCreate', 'c', '${receivedAt}')`,
  );
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop('SIGTERM')));
  await Promise.all(databases.splice(0).map((database) => database.drop()));
});

afterAll(() => {
  for (const directory of checkouts) rmSync(directory, { recursive: true, force: true });
});

describe('npm start without DATABASE_URL (embedded Postgres under ./.data)', () => {
  it('starts, serves, keeps its data and API key across restarts, and stops cleanly on SIGTERM and SIGINT', async () => {
    const cwd = newCheckout();
    const first = startService(cwd);
    const url = await first.listening();

    const keyFile = join(cwd, '.data/graphql-api-key');
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(first.stdout.filter((line) => line.includes(key))).toHaveLength(1);
    expect(first.output()).toContain('It is shown only this once');
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    // The console comes with npm install: its page, and the browser modules it imports by name.
    const consolePage = await fetch(`${url}/console`);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain('<script type="module" src="/console/app.js">');
    for (const vendored of ['preact.mjs', 'preact-hooks.mjs', 'htm.mjs', 'uplot.mjs']) {
      expect((await fetch(`${url}/console/vendor/${vendored}`)).status).toBe(200);
    }
    expect(await (await syncStatusWith(url, key)).json()).toEqual({
      data: { syncStatus: { queueDepth: 0, lastWebhookAt: null } },
    });
    const refused = await syncStatusWith(url, 'not-the-key-0123456789');
    expect(refused.status).toBe(401);
    expect(await refused.json()).not.toHaveProperty('data');

    await insertInboxRow((sql) => queryEmbedded(cwd, sql), '2026-11-01T00:00:00Z');
    const serverPid = embeddedServerPid(cwd)!;
    expect(isAlive(serverPid)).toBe(true);

    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.logs.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['shutting down', 'embedded Postgres stopped', 'stopped cleanly']),
    );
    expect(isAlive(serverPid)).toBe(false);

    const second = startService(cwd);
    const secondUrl = await second.listening();
    expect(second.output()).not.toContain(key);
    const status = await syncStatusWith(secondUrl, key);
    expect(await status.json()).toEqual({
      data: { syncStatus: { queueDepth: 0, lastWebhookAt: '2026-11-01T00:00:00.000Z' } },
    });
    expect(second.logs.some((line) => line.msg === 'initialising embedded Postgres cluster')).toBe(false);
    const secondServerPid = embeddedServerPid(cwd)!;

    expect(await second.stop('SIGINT')).toBe(0);
    expect(isAlive(secondServerPid)).toBe(false);
  });

  it('gives two checkouts on one machine their own embedded servers on different ports', async () => {
    const [one, two] = [newCheckout(), newCheckout()];
    const services = [startService(one), startService(two)];
    const urls = await Promise.all(services.map((service) => service.listening()));
    const ports = [one, two].map((cwd) => embeddedState(cwd).port);
    expect(ports[0]).not.toBe(ports[1]);

    await insertInboxRow((sql) => queryEmbedded(one, sql), '2026-11-02T00:00:00Z');
    const keys = [one, two].map((cwd) => readFileSync(join(cwd, '.data/graphql-api-key'), 'utf8').trim());
    expect(keys[0]).not.toBe(keys[1]);
    const seen = await Promise.all(
      urls.map(
        async (url, index) => ((await (await syncStatusWith(url, keys[index]!)).json()) as { data: unknown }).data,
      ),
    );
    expect(seen).toEqual([
      { syncStatus: { queueDepth: 0, lastWebhookAt: '2026-11-02T00:00:00.000Z' } },
      { syncStatus: { queueDepth: 0, lastWebhookAt: null } },
    ]);
  });

  it('recovers the data directory from a server orphaned by a SIGKILL', async () => {
    const cwd = newCheckout();
    const killed = startService(cwd);
    await killed.listening();
    const orphan = embeddedServerPid(cwd)!;
    const portBefore = embeddedState(cwd).port;
    await killed.stop('SIGKILL');
    expect(isAlive(orphan)).toBe(true);

    const restarted = startService(cwd);
    const url = await restarted.listening();
    expect(
      restarted.logs.some((line) => line.msg === 'stopping an embedded Postgres left running by a previous start'),
    ).toBe(true);
    expect(isAlive(orphan)).toBe(false);
    expect(embeddedState(cwd).port).toBe(portBefore);
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
  });
  it('answers 429 while its embedded server is gone, and Ctrl-C still stops it cleanly', async () => {
    const ghl = new GhlStandIn();
    const cwd = newCheckout();
    const service = startService(cwd, ghl.env());
    const url = await service.listening();
    const serverPid = embeddedServerPid(cwd)!;
    process.kill(serverPid, 'SIGKILL');
    await expect.poll(() => isAlive(serverPid)).toBe(false);

    const refused = await ghl.deliver(url, ghl.contactEvent('ContactCreate'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: { database: { status: 'down' } } });

    const stopping = performance.now();
    expect(await service.stop('SIGINT')).toBe(0);
    expect(performance.now() - stopping).toBeLessThan(15_000);
    expect(service.logs.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['shutting down', 'embedded Postgres had already stopped', 'stopped cleanly']),
    );
  });
});

describe('npm start as root in a directory Postgres cannot enter', () => {
  it.runIf(process.getuid?.() === 0)('exits 1 naming the directory and the ways out', async () => {
    const cwd = newCheckout();
    chmodSync(cwd, 0o700);
    const service = startService(cwd);
    expect(await service.exited).toBe(1);
    const fatal = service.logs.find((line) => line.level === 'fatal')!;
    expect(fatal.msg).toContain(
      `the "postgres" user when the service runs as root, and that user cannot enter ${cwd}.`,
    );
    expect(fatal.msg).toContain('set DATABASE_URL');
  });
});

describe('npm start with DATABASE_URL', () => {
  it('uses that database only, migrating it at start', async () => {
    const database = await newDatabase('start_external');
    const cwd = newCheckout();
    const service = startService(cwd, { DATABASE_URL: database.url, GRAPHQL_API_KEYS: 'configured-key-0123456789' });
    const url = await service.listening();
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    expect(existsSync(join(cwd, '.data/postgres'))).toBe(false);
    expect(existsSync(join(cwd, '.data/graphql-api-key'))).toBe(false);
    expect(
      await database.query('SELECT migration_name FROM ghl_sync._prisma_migrations ORDER BY migration_name'),
    ).toEqual([...ALL_MIGRATIONS.map((migration_name) => ({ migration_name }))]);
    await insertInboxRow((sql) => database.query(sql), '2026-11-03T00:00:00Z');
    expect(await (await syncStatusWith(url, 'configured-key-0123456789')).json()).toEqual({
      data: { syncStatus: { queueDepth: 0, lastWebhookAt: '2026-11-03T00:00:00.000Z' } },
    });
  });

  it('leaves the schema alone with MIGRATE_ON_START=false', async () => {
    const database = await newDatabase('start_nomigrate');
    const service = startService(newCheckout(), {
      DATABASE_URL: database.url,
      MIGRATE_ON_START: 'false',
      GRAPHQL_API_KEYS: 'configured-key-0123456789',
    });
    await service.listening();
    const tables = await database.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables).toEqual([]);
  });

  it('stops the start with the name of a failing migration and its SQL error', async () => {
    const database = await newDatabase('start_badmigration');
    await database.query('CREATE TABLE sync_events (unrelated INT)');
    const service = startService(newCheckout(), { DATABASE_URL: database.url });
    expect(await service.exited).toBe(1);
    const fatal = service.logs.find((line) => line.level === 'fatal')!;
    expect(fatal.msg).toContain(
      'Migration 20261128230000_foundation failed and was rolled back: relation "sync_events" already exists, SQLSTATE 42P07',
    );
    expect(
      await database.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'sync_dead_letters'"),
    ).toEqual([]);
  });
});

describe('npm start with a bad configuration', () => {
  it('exits 1 naming every bad variable and its rule, before touching anything', async () => {
    const cwd = newCheckout();
    const service = startService(cwd, { PORT: 'eighty', SERVICE_ROLE: 'everything', SYNC_RETRY_DELAYS: '1m,later' });
    expect(await service.exited).toBe(1);
    const stderr = service.stderr.join('\n');
    expect(stderr).toContain('Invalid configuration:');
    expect(stderr).toContain('PORT must be an integer number (got "eighty")');
    expect(stderr).toContain('SERVICE_ROLE must be one of the following values: all, api, worker (got "everything")');
    expect(stderr).toContain('SYNC_RETRY_DELAYS must be a comma-separated list of positive durations');
    expect(existsSync(join(cwd, '.data'))).toBe(false);
  });

  it('reads .env from the working directory, with the real environment taking precedence', async () => {
    const cwd = newCheckout();
    writeFileSync(join(cwd, '.env'), 'LOG_LEVEL=loud\nSERVICE_ROLE=nobody\n');
    const service = startService(cwd, { SERVICE_ROLE: 'api' });
    expect(await service.exited).toBe(1);
    const stderr = service.stderr.join('\n');
    expect(stderr).toContain('LOG_LEVEL must be one of the following values');
    expect(stderr).not.toContain('SERVICE_ROLE');
  });
});

describe('npm run db:migrate', () => {
  it('applies pending migrations to DATABASE_URL once, and exits 1 with the reason when it cannot', async () => {
    const database = await newDatabase('cli_migrate');
    const migrateOnce = async () => {
      const run = new ServiceProcess(newCheckout(), { DATABASE_URL: database.url }, 'dist/cli/db-migrate.js');
      return { code: await run.exited, messages: run.logs.map((line) => line.msg) };
    };

    expect(await migrateOnce()).toEqual({ code: 0, messages: ALL_MIGRATIONS.map(() => 'applied migration') });
    expect(await migrateOnce()).toEqual({ code: 0, messages: ['database schema is up to date'] });
    expect(await database.query('SELECT migration_name FROM ghl_sync._prisma_migrations')).toHaveLength(
      ALL_MIGRATIONS.length,
    );

    await database.query('DROP TABLE ghl_sync._prisma_migrations');
    const failed = await migrateOnce();
    expect(failed.code).toBe(1);
    expect(failed.messages[0]).toContain(
      'migration failed: The migration history "ghl_sync"."_prisma_migrations" is empty, but schema "ghl_sync" already holds',
    );
    expect(await database.query("SELECT to_regclass('public.sync_events') AS copy")).toEqual([{ copy: null }]);
  });
});
