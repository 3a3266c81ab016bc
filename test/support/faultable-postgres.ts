import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { EmbeddedPostgresServer } from '../../src/database/embedded/embedded-postgres.server.js';
import { anyFreePort } from '../../src/database/embedded/free-port.js';
import { createRootLogger } from '../../src/observability/logging/root-logger.js';
import { CapturedLogs } from './test-app.js';

/** One fault: when the server went away, when it answered queries again, and what that took. */
export interface Outage {
  readonly kind: 'fast restart' | 'kill -9';
  /** Epoch ms: the signal was sent. */
  readonly downAt: number;
  /** Epoch ms: a new connection ran `SELECT 1` again. */
  readonly upAt: number;
  /** upAt - downAt: how long a new connection could not run a query. */
  readonly downMs: number;
  /** The part of it during which the port refused TCP connections outright (ECONNREFUSED). */
  readonly refusedMs: number;
  /** Starts it took (after kill -9, more than one when the old shared memory was still attached). */
  readonly startAttempts: number;
}

export interface FaultOptions {
  /** Keep the server down at least this long from the signal on. */
  readonly holdDownMs?: number;
}

const STOP_WAIT_MS = 30_000;
const START_ATTEMPTS = 40;
const START_RETRY_MS = 250;
const PROBE_INTERVAL_MS = 20;

/**
 * A Postgres server a test owns and breaks: restarted (fast shutdown, as `pg_ctl restart -m fast`)
 * or killed (SIGKILL of the postmaster, then crash recovery), each time on the same data directory
 * and port, so clients holding its URL see the same server come back.
 *
 * Each (re)start is a new `EmbeddedPostgresServer.start()`. The instance of a server that died under
 * it is dropped, never stopped: embedded-postgres' `stop()` waits for an `exit` event of its child
 * that has already fired, so it would never return. Its exit hook is not confused by the restarts:
 * it signals whichever postmaster `postmaster.pid` names, which is always the live one.
 */
export class FaultablePostgres {
  readonly outages: Outage[] = [];

  private constructor(
    private readonly dataDir: string,
    readonly port: number,
    private readonly logs: CapturedLogs,
    private server: EmbeddedPostgresServer,
  ) {}

  /** A new cluster in a temporary directory, on a free port (with `database` created, if given). */
  static async start(database?: string): Promise<FaultablePostgres> {
    const dataDir = mkdtempSync(join(tmpdir(), 'trainu-faults-'));
    // Postgres runs as the `postgres` user when we are root: it must be able to enter the directory.
    chmodSync(dataDir, 0o755);
    const port = await anyFreePort();
    const logs = new CapturedLogs();
    const server = await EmbeddedPostgresServer.start({
      dataDir,
      logger: createRootLogger('debug', logs),
      database,
      port,
    });
    return new FaultablePostgres(dataDir, port, logs, server);
  }

  url(database: string): string {
    return this.server.urlFor(database);
  }

  createDatabase(name: string): Promise<void> {
    return this.server.ensureDatabase(name);
  }

  /**
   * `pg_ctl restart -m fast`: SIGINT to the postmaster, wait for it to exit, start it again.
   * `holdDownMs` keeps it down at least that long (an idle local server is back in about 150 ms;
   * a loaded or managed one takes seconds).
   */
  async fastRestart({ holdDownMs = 0 }: FaultOptions = {}): Promise<Outage> {
    const pid = this.postmasterPid();
    return this.outage('fast restart', async (downAt) => {
      process.kill(pid, 'SIGINT');
      await waitUntil(() => isGone(pid), STOP_WAIT_MS, `the postmaster (pid ${pid}) to shut down`);
      await sleep(downAt + holdDownMs - Date.now());
      return this.startWithRetries(1);
    });
  }

  /**
   * SIGKILL of the postmaster. Its backends notice and exit on their own, but until the last one has
   * detached the old shared memory, a new postmaster refuses to start ("pre-existing shared memory
   * block is still in use"): wait for that, then start (crash recovery), retrying a bounded number
   * of times in case a process was still on its way out.
   */
  async killPostmaster({ holdDownMs = 0 }: FaultOptions = {}): Promise<Outage> {
    const pid = this.postmasterPid();
    const shmId = this.sharedMemoryId();
    return this.outage('kill -9', async (downAt) => {
      process.kill(pid, 'SIGKILL');
      await waitUntil(() => isGone(pid), STOP_WAIT_MS, `the killed postmaster (pid ${pid}) to be gone`);
      if (shmId !== undefined) {
        await waitUntil(
          () => sharedMemoryAttachments(shmId) === 0,
          STOP_WAIT_MS,
          `the backends of the killed postmaster to detach shared memory segment ${shmId}`,
        );
      }
      await sleep(downAt + holdDownMs - Date.now());
      return this.startWithRetries(START_ATTEMPTS);
    });
  }

  async stop(): Promise<void> {
    // A postmaster that died with no restart after it has nothing left to stop.
    if (existsSync(this.pidFile()) && !isGone(this.postmasterPid())) await this.server.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** The last lines Postgres and embedded-postgres wrote, for failure messages. */
  recentOutput(lines = 30): string {
    return this.logs.lines
      .slice(-lines)
      .map((line) => String(line.msg))
      .join('\n');
  }

  private async outage(kind: Outage['kind'], fault: (downAt: number) => Promise<number>): Promise<Outage> {
    const refused = watchRefusals(this.port);
    const downAt = Date.now();
    try {
      const startAttempts = await fault(downAt);
      await waitUntil(() => this.answers(), STOP_WAIT_MS, 'the restarted server to answer a query');
      const upAt = Date.now();
      const outage = { kind, downAt, upAt, downMs: upAt - downAt, refusedMs: refused.stop(), startAttempts };
      this.outages.push(outage);
      return outage;
    } finally {
      refused.stop();
    }
  }

  private async startWithRetries(attempts: number): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.server = await this.startServer();
        return attempt;
      } catch (error) {
        if (attempt >= attempts) {
          throw new Error(`Postgres did not start again after ${attempt} attempts:\n${this.recentOutput()}`, {
            cause: error,
          });
        }
        await sleep(START_RETRY_MS);
      }
    }
  }

  private startServer(): Promise<EmbeddedPostgresServer> {
    const logger = createRootLogger('debug', this.logs);
    return EmbeddedPostgresServer.start({ dataDir: this.dataDir, logger, port: this.port });
  }

  /** A new connection runs `SELECT 1`. */
  private async answers(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url('postgres'), connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private pidFile(): string {
    return join(this.dataDir, 'postgres', 'postmaster.pid');
  }

  private postmasterPid(): number {
    return Number(readFileSync(this.pidFile(), 'utf8').split('\n')[0]);
  }

  /** Line 7 of postmaster.pid: the key and id of the SysV segment whose attachments guard the data directory. */
  private sharedMemoryId(): number | undefined {
    const line = readFileSync(this.pidFile(), 'utf8').split('\n')[6];
    const id = Number(line?.trim().split(/\s+/)[1]);
    return Number.isInteger(id) ? id : undefined;
  }
}

/** Gone: no such process, or a zombie (a reparented backend that nobody has reaped yet holds no memory). */
function isGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** `nattch` of a SysV shared memory segment; 0 when it no longer exists. */
function sharedMemoryAttachments(shmId: number): number {
  const rows = readFileSync('/proc/sysvipc/shm', 'utf8').trim().split('\n').slice(1);
  const row = rows.map((line) => line.trim().split(/\s+/)).find((columns) => Number(columns[1]) === shmId);
  return row ? Number(row[6]) : 0;
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(PROBE_INTERVAL_MS);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Samples the port until stopped; returns the time from the first to the last refused connection. */
function watchRefusals(port: number): { stop(): number } {
  let first: number | undefined;
  let last: number | undefined;
  let running = true;
  const sample = () => {
    if (!running) return;
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => socket.destroy());
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') {
        last = Date.now();
        first ??= last;
      }
    });
    socket.once('close', () => setTimeout(sample, PROBE_INTERVAL_MS));
  };
  sample();
  return {
    stop() {
      running = false;
      return first === undefined ? 0 : last! - first + PROBE_INTERVAL_MS;
    },
  };
}
