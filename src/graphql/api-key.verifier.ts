import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Checks `Authorization: Bearer <key>` against the configured keys in constant time. */
export class ApiKeyVerifier {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new Error('the GraphQL API needs at least one key (GRAPHQL_API_KEYS)');
    this.digests = keys.map(digest);
  }

  isAuthorized(authorizationHeader: string | string[] | undefined): boolean {
    const header = Array.isArray(authorizationHeader) ? authorizationHeader[0] : authorizationHeader;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) return false;
    const presented = digest(match[1]!);
    // Compare against every key so the time taken does not reveal which one (if any) matched.
    return this.digests.map((known) => timingSafeEqual(known, presented)).includes(true);
  }
}
