/** SQLSTATE undefined_table, and Prisma's name for it. */
const MISSING_TABLE_CODES = new Set(['42P01', 'P2021']);

const NOT_MIGRATED_HINT =
  'the database has no sync tables yet: run `npm run db:migrate` (or `npm start`, which migrates) against it first';

/** What a command-line tool prints for an error: its code, its message, and what to do when that is plain. */
export function cliErrorLine(error: unknown, code = 'ERROR'): string {
  const message = error instanceof Error ? error.message.trim() : String(error);
  const sqlState = (error as { code?: unknown } | null)?.code;
  const hint = typeof sqlState === 'string' && MISSING_TABLE_CODES.has(sqlState) ? `\n${NOT_MIGRATED_HINT}` : '';
  return `${code}: ${message}${hint}\n`;
}

/**
 * Runs a command-line tool's `run(argv, out)` and exits with its code. On an error it prints
 * `cliErrorLine` and exits at once: a start that failed half-way can leave pools or pg-boss timers
 * open that would keep the process alive.
 */
export async function runCli(
  run: (argv: string[], out: (line: string) => void) => Promise<number>,
  codeOf: (error: unknown) => string = () => 'ERROR',
): Promise<void> {
  try {
    process.exitCode = await run(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
  } catch (error) {
    process.stderr.write(cliErrorLine(error, codeOf(error)));
    process.exit(1);
  }
}
