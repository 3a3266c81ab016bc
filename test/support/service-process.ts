import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

/**
 * A compiled entry point (built by the global setup) running as its own process: `dist/main.js` as
 * `npm start` runs it, or a CLI such as `dist/cli/db-migrate.js`.
 */
export class ServiceProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(cwd: string, env: Record<string, string>, entry = 'dist/main.js', args: readonly string[] = []) {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.startsWith('GHL_') && !['DATABASE_URL', 'GRAPHQL_API_KEYS', 'PORT'].includes(name),
      ),
    );
    this.child = spawn(process.execPath, [join(PROJECT_ROOT, entry), ...args], {
      cwd,
      env: { ...inherited, HOST: '127.0.0.1', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => this.stdout.push(...chunk.toString('utf8').split('\n')));
    this.child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(...chunk.toString('utf8').split('\n')));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Log lines (JSON) written so far. */
  get logs(): Record<string, unknown>[] {
    return this.stdout
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Waits for the "service is listening" line and returns its URL; fails if the process exits first. */
  async listening(timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    for (;;) {
      const line = this.logs.find((entry) => entry.msg === 'service is listening');
      if (line) return line.url as string;
      if (exitCode !== undefined)
        throw new Error(`service exited with ${exitCode} before listening:\n${this.output()}`);
      if (Date.now() > deadline) throw new Error(`service did not listen within ${timeoutMs} ms:\n${this.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }

  output(): string {
    return [...this.stdout, ...this.stderr].join('\n');
  }
}

/**
 * `dist/main.js` processes started from a scratch working directory of their own (readable by the
 * embedded Postgres user), as the crash tests start, kill and restart them; `killAll` ends every one
 * and removes the directory.
 */
export class ScratchServices {
  private readonly cwd: string;
  private readonly running: ServiceProcess[] = [];

  constructor(
    prefix: string,
    private readonly baseEnv: () => Record<string, string>,
  ) {
    this.cwd = mkdtempSync(join(tmpdir(), prefix));
    chmodSync(this.cwd, 0o755);
  }

  /** Starts one more process with the base environment (and a GraphQL key) and waits until it listens. */
  async start(env: Record<string, string> = {}): Promise<{ service: ServiceProcess; url: string }> {
    const service = new ServiceProcess(this.cwd, {
      GRAPHQL_API_KEYS: 'crash-test-key-0123456789',
      ...this.baseEnv(),
      ...env,
    });
    this.running.push(service);
    return { service, url: await service.listening() };
  }

  async killAll(): Promise<void> {
    await Promise.all(this.running.map((service) => service.stop('SIGKILL')));
    rmSync(this.cwd, { recursive: true, force: true });
  }
}
