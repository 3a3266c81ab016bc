/** Events other TrainU services can subscribe to (pg-boss `subscribe(type, theirQueue)`). */
export const DOMAIN_EVENT_TYPES = ['booking_scheduled', 'booking_rescheduled', 'booking_canceled'] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

export interface DomainEventInput {
  readonly type: DomainEventType;
  readonly aggregateType: 'booking';
  readonly aggregateId: string;
  /** One event per key, ever: a redelivered or replayed change cannot publish it twice. */
  readonly dedupeKey: string;
  /** Ids, times and statuses only: never names, emails or phones. */
  readonly payload: Record<string, unknown>;
  readonly correlationId?: string;
}

/** What a subscriber's job carries. */
export interface PublishedDomainEvent extends Record<string, unknown> {
  readonly eventId: string;
  readonly type: DomainEventType;
  readonly occurredAt: string;
  readonly correlationId: string | null;
}
