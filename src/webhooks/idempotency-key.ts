import { createHash } from 'node:crypto';

interface KeyedPayload {
  readonly type: string;
  readonly timestamp?: string | null;
  readonly webhookId?: string;
  readonly id?: unknown;
  readonly dateUpdated?: unknown;
  readonly appointment?: unknown;
}

/** The GHL object a webhook is about: top-level `id`, or `appointment.id` for appointment events. */
export function objectIdOf(payload: KeyedPayload): string | undefined {
  const id = payload.id ?? nested(payload.appointment, 'id');
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * The inbox key that makes a repeated delivery a no-op: GHL's `webhookId` when sent; else the
 * event type, object id and upstream update time (`dateUpdated`, else `timestamp`); else a hash of
 * the exact body (so a body without any of them, replayed byte for byte, is still a duplicate).
 */
export function idempotencyKeyOf(payload: KeyedPayload, rawBody: Buffer): string {
  if (payload.webhookId) return `webhook:${payload.webhookId}`;
  const objectId = objectIdOf(payload);
  const updatedAt = payload.dateUpdated ?? nested(payload.appointment, 'dateUpdated') ?? payload.timestamp;
  if (objectId && typeof updatedAt === 'string') return `${payload.type}:${objectId}:${updatedAt}`;
  return `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
}

function nested(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}
