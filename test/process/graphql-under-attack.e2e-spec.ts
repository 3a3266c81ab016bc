import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMigrationFiles } from '../../src/database/migrations/migration-files.js';
import { runMigrations } from '../../src/database/migrations/migration-runner.js';
import { MIGRATIONS_DIR } from '../../src/paths.js';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { postGraphql } from '../support/graphql-client.js';
import { aliasedContactsQuery, nestedContactsQuery, seedContactsWithBookings } from '../support/hostile-queries.js';
import { ServiceProcess } from '../support/service-process.js';
import { eventually } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const API_KEY = 'attack-test-key-0123456789';
const ROUNDS = 50;
const CONCURRENT = 10;

/** Resident memory of a process, from /proc (what the kernel has given it, heap and all). */
function rssMegabytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D/g, '')) / 1024;
}

/**
 * The two queries that took the service down before it had limits (a 20-level nested query: 256 MB
 * to 4.3 GB and a crash; 500 aliases: the pool exhausted, webhooks waiting 5–7 s), sent 50 times
 * each to `npm start`'s process while GHL keeps delivering webhooks.
 */
describe('the service under hostile GraphQL queries', () => {
  let database: TestDatabase;
  let cwd: string;
  let service: ServiceProcess;
  let url: string;
  const ghl = new GhlStandIn();

  beforeAll(async () => {
    database = await createTestDatabase('graphql_attack');
    await runMigrations(database.url, readMigrationFiles(MIGRATIONS_DIR), pino({ level: 'silent' }));
    await seedContactsWithBookings(database);
    cwd = mkdtempSync(join(tmpdir(), 'trainu-attack-'));
    service = new ServiceProcess(cwd, {
      ...ghl.env(),
      DATABASE_URL: database.url,
      GRAPHQL_API_KEYS: API_KEY,
    });
    url = await service.listening();
  });

  afterAll(async () => {
    await service?.stop();
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('refuses both queries in milliseconds, keeps its memory flat, and accepts webhooks within 1 s meanwhile', async () => {
    const warmUp = ghl.contactEvent('ContactCreate'); // the first request of a process compiles its code paths
    expect((await ghl.deliver(url, warmUp)).status).toBe(200);
    expect((await postGraphql(url, nestedContactsQuery(20), { apiKey: API_KEY })).status).toBe(400);
    const rssAtStart = rssMegabytes(service.pid);
    let rssPeak = rssAtStart;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMegabytes(service.pid))), 50);

    const webhookLatencies: number[] = [];
    const deliveredIds: string[] = [];
    let attacking = true;
    const deliverWhileAttacked = async () => {
      while (attacking) {
        const event = ghl.contactEvent('ContactCreate');
        const started = performance.now();
        const response = await ghl.deliver(url, event);
        webhookLatencies.push(performance.now() - started);
        expect(response.status).toBe(200);
        deliveredIds.push(event.id as string);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const webhooks = Promise.all(Array.from({ length: 4 }, deliverWhileAttacked));

    const refusals: { ms: number; status: number; limit: unknown }[] = [];
    const hostile = [nestedContactsQuery(20), aliasedContactsQuery(500)];
    for (let round = 0; round < ROUNDS; round += CONCURRENT) {
      await Promise.all(
        Array.from({ length: CONCURRENT }, () => hostile).flatMap((queries) =>
          queries.map(async (query) => {
            const started = performance.now();
            const response = await postGraphql(url, query, { apiKey: API_KEY });
            const body = (await response.json()) as { errors: { extensions: { limit: unknown } }[] };
            refusals.push({
              ms: performance.now() - started,
              status: response.status,
              limit: body.errors[0]!.extensions.limit,
            });
          }),
        ),
      );
    }
    attacking = false;
    await webhooks;
    clearInterval(sampler);

    expect(refusals).toHaveLength(ROUNDS * 2);
    expect(new Set(refusals.map((refusal) => refusal.status))).toEqual(new Set([400]));
    expect(new Set(refusals.map((refusal) => refusal.limit))).toEqual(
      new Set(['GRAPHQL_MAX_DEPTH', 'GRAPHQL_MAX_TOKENS']),
    );
    const slowestRefusal = Math.max(...refusals.map((refusal) => refusal.ms));
    expect(slowestRefusal).toBeLessThan(1_000); // ten at a time on two shared cores; alone they take a few ms
    expect(rssPeak).toBeLessThan(400);
    expect(webhookLatencies.length).toBeGreaterThan(0);
    expect(Math.max(...webhookLatencies)).toBeLessThan(1_000);

    // Every delivery made meanwhile was applied.
    await eventually(async () => {
      const rows = await database.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM contacts WHERE ghl_contact_id = ANY($1)',
        [deliveredIds],
      );
      return rows[0]!.count === deliveredIds.length ? true : undefined;
    });
  });
});
