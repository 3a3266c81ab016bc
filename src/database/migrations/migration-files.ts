import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MigrationFile {
  /** Folder name, e.g. `20261128230000_foundation`; Prisma orders migrations by it. */
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

/** Reads `prisma/migrations/<name>/migration.sql` in Prisma's order (folder names, ascending). */
export function readMigrationFiles(directory: string): MigrationFile[] {
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(directory, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(directory, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: checksumOf(sql) };
    });
}

/** Prisma's checksum: SHA-256 hex of the script. */
export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/** Prisma accepts a recorded checksum computed with either LF or CRLF line endings (git may convert). */
export function matchesChecksum(sql: string, recorded: string): boolean {
  const lf = sql.replace(/\r\n/g, '\n');
  return [sql, lf, lf.replace(/\n/g, '\r\n')].some((variant) => checksumOf(variant) === recorded);
}
