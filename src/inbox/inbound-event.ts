import type { SqlClient } from '../database/prisma.service.js';

/** A change received from GHL, as the inbox stores it before any domain handler has looked at it. */
export interface InboundEvent {
  /** `webhookId`, else upstream id + update time, else a hash of the body (see the webhook module). */
  readonly idempotencyKey: string;
  /** GHL event type, e.g. `ContactUpdate`; `(untyped)` for a signed body without one (ADR 0006). */
  readonly type: string;
  readonly locationId?: string;
  readonly objectId?: string;
  readonly correlationId: string;
  readonly payload: Record<string, unknown>;
}

/** What a domain handler did with an event; stored as the inbox row's outcome. */
export type HandlerOutcome = 'APPLIED' | 'STALE' | 'IGNORED';

export interface StoredInboundEvent extends InboundEvent {
  readonly id: string;
  readonly receivedAt: Date;
  readonly processedAt: Date | undefined;
}

/** Implemented by each domain module (contacts, bookings, ...) for the GHL event types it owns. */
export interface InboundEventHandler {
  readonly eventTypes: readonly string[];
  /**
   * class-validator DTO for these events' payloads. The webhook endpoint validates a delivery with
   * it before accepting it, so a payload reaching `handle` has passed it.
   */
  readonly payloadDto: new () => object;
  handle(event: StoredInboundEvent): Promise<HandlerOutcome>;
  /**
   * Optional: several events of these types, in order, inside the caller's transaction, with the
   * outcomes `handle` would give each applied in that order. Throws when any of them fails, and
   * then the caller runs each through `handle` on its own (ADR 0016).
   */
  handleBatch?(events: readonly StoredInboundEvent[], client: SqlClient): Promise<HandlerOutcome[]>;
}
