import { createHash } from 'node:crypto';

/**
 * A UUID derived from `name` (RFC 4122 name-based layout over SHA-256): the same name always gives
 * the same job id, so a retry or a replay sent twice is one job (pg-boss ignores a duplicate id).
 */
export function jobIdFor(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
