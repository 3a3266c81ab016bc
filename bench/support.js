// Shared by the benchmarks: start a process and wait for its "listening" line, load it with
// autocannon, describe the machine.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

export const ROOT = new URL('..', import.meta.url).pathname;

/**
 * Spawns `node <args>` in `cwd` and resolves `listening` with the URL from its first JSON log line
 * saying "service is listening". Later output is drained unread, so it costs the benchmark nothing.
 */
export function startProcess(cwd, args = [join(ROOT, 'dist/main.js')], env = {}) {
  const started = performance.now();
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
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  const listening = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      buffered += chunk.toString('utf8');
      for (const line of buffered.split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line);
        if (entry.msg === 'service is listening') {
          child.stdout.off('data', onData);
          child.stdout.resume();
          resolve({ url: entry.url, ms: performance.now() - started });
          return;
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    };
    child.stdout.on('data', onData);
    child.on('exit', (code) => reject(new Error(`process exited with ${code}`)));
  });
  const stop = () =>
    new Promise((resolve) => {
      const signalled = performance.now();
      child.on('exit', () => resolve(performance.now() - signalled));
      child.kill('SIGTERM');
    });
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

export async function postgresVersion(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query('SHOW server_version');
  await client.end();
  return rows[0].server_version;
}

export function machineLine() {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}`;
}
