import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { TestProject } from 'vitest/node';
import { EmbeddedPostgresServer } from '../../src/database/embedded/embedded-postgres.server.js';
import { anyFreePort } from '../../src/database/embedded/free-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A server where each test file creates (and drops) a database of its own. */
    adminDatabaseUrl: string;
  }
}

/**
 * One Postgres server for the whole run: TEST_DATABASE_URL when set, else an embedded server in
 * a temporary directory that is deleted afterwards. Also compiles dist/, which the process-level
 * tests start the way `npm start` does.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const build = spawnSync('npx', ['nest', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('nest build failed; the process-level tests need dist/');

  if (process.env.TEST_DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.TEST_DATABASE_URL);
    return () => Promise.resolve();
  }
  const server = await startEmbeddedForTests();
  project.provide('adminDatabaseUrl', server.urlFor('postgres'));
  return () => server.stop();
}

async function startEmbeddedForTests(): Promise<EmbeddedPostgresServer> {
  const port = await anyFreePort();
  const dataDir = join(tmpdir(), `trainu-sync-test-pg-${process.pid}-${port}`);
  return EmbeddedPostgresServer.start({ dataDir, logger: pino({ level: 'warn' }), ephemeral: true, port });
}
