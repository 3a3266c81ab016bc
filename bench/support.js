// Shared by the benchmarks: start a process and wait for its "listening" line, load it with
// autocannon, describe the machine.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { cpus, release, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

export const ROOT = new URL('..', import.meta.url).pathname;

/**
 * Spawns `node <args>` in `cwd` and resolves `listening` with the URL from its first JSON log line
 * saying "service is listening". Its stdout goes to a file, as in production (a pipe drained by this
 * busy process would make every log write of the service wait on the load generator).
 */
export function startProcess(cwd, args = [join(ROOT, 'dist/main.js')], env = {}) {
  const started = performance.now();
  const logDirectory = mkdtempSync(join(tmpdir(), 'trainu-bench-log-'));
  const logFile = join(logDirectory, 'stdout.log');
  const stdout = openSync(logFile, 'w');
  const child = spawn(process.execPath, args, {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      // For profiling a run, e.g. BENCH_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/profiles".
      ...(process.env.BENCH_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS }),
      ...env,
    },
    stdio: ['ignore', stdout, 'inherit'],
  });
  closeSync(stdout);
  let exited = false;
  const exit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  void exit.then(() => (exited = true));
  const listening = (async () => {
    for (;;) {
      const line = readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((text) => text.startsWith('{'))
        .map((text) => JSON.parse(text))
        .find((entry) => entry.msg === 'service is listening');
      if (line) return { url: line.url, ms: performance.now() - started };
      if (exited) throw new Error(`process exited with ${await exit}; its output is in ${logFile}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const stop = async () => {
    const signalled = performance.now();
    child.kill('SIGTERM');
    await exit;
    rmSync(logDirectory, { recursive: true, force: true });
    return performance.now() - signalled;
  };
  return { listening, stop };
}

/** One autocannon run; latency in ms. */
export async function load(title, options) {
  const result = await autocannon(options);
  const failures = result.non2xx + result.errors + result.timeouts;
  return {
    title,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures,
    total: result.requests.total,
  };
}

/** URL of a database on the embedded Postgres that `npm start` left running in `cwd`. */
export function embeddedDatabaseUrl(cwd, database) {
  const state = JSON.parse(readFileSync(join(cwd, '.data/embedded-postgres.json'), 'utf8'));
  return `postgresql://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/${database}`;
}

/** Runs `work` on a client of its own, closed afterwards whatever happens. */
export async function withClient(databaseUrl, work) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function postgresVersion(url) {
  const { rows } = await withClient(url, (client) => client.query('SHOW server_version'));
  return rows[0].server_version;
}

export function machineLine() {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}`;
}
