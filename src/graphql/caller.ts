import { createHash } from 'node:crypto';
import type { GraphqlContext } from './request-loaders.js';

/** Who acted, for the audit columns: the API key's fingerprint, never the key. */
export function callerOf(context: GraphqlContext): string {
  const request = context.req as { headers?: Record<string, string | string[] | undefined> };
  const header = request.headers?.authorization;
  const key = (Array.isArray(header) ? header[0] : header) ?? '';
  return `api-key:${createHash('sha256')
    .update(key.replace(/^Bearer\s+/i, ''))
    .digest('hex')
    .slice(0, 12)}`;
}
