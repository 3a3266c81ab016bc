import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GeneratedApiKey {
  readonly key: string;
  readonly path: string;
  /** True when this call created the key (the only time it is printed). */
  readonly created: boolean;
}

/**
 * The key `npm start` uses when GRAPHQL_API_KEYS is empty: created once under the data directory
 * (mode 0600) and reused afterwards, so the read API is never open without a key.
 */
export function loadOrCreateApiKey(dataDir: string): GeneratedApiKey {
  const path = join(dataDir, 'graphql-api-key');
  if (existsSync(path)) return { key: readFileSync(path, 'utf8').trim(), path, created: false };
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const key = `tgs_${randomBytes(24).toString('base64url')}`;
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, path, created: true };
}
