import { Injectable } from '@nestjs/common';
import type { InboundEvent } from './inbound-event.js';
import { InboxRelayNotifier } from './inbox-relay.notifier.js';
import { InboxRepository } from './inbox.repository.js';

export type AcceptResult = { readonly duplicate: false; readonly eventId: string } | { readonly duplicate: true };

export interface AcceptOptions {
  /** Cancels a statement of the acceptance that waits longer than this (a stalled database). */
  readonly statementTimeoutMs?: number;
}

@Injectable()
export class InboxService {
  constructor(
    private readonly inbox: InboxRepository,
    private readonly relay: InboxRelayNotifier,
  ) {}

  /**
   * Records an inbound event: one row, the only durable write of an acceptance. Its processing job
   * is enqueued by the relay (ADR 0017), which takes every committed row waiting for it, so an
   * accepted event always gets its job and a rolled-back one never does. A repeated idempotency key
   * changes nothing.
   */
  async accept(event: InboundEvent, options: AcceptOptions = {}): Promise<AcceptResult> {
    const eventId = await this.inbox.insertIfNew(event, options);
    if (!eventId) return { duplicate: true };
    this.relay.rowStored();
    return { duplicate: false, eventId };
  }

  /** Records an event of a type no domain handler syncs: kept for the record, outcome IGNORED, no job. */
  async recordIgnored(event: InboundEvent, options: AcceptOptions = {}): Promise<AcceptResult> {
    const eventId = await this.inbox.insertIfNew(event, { ...options, finalOutcome: 'IGNORED' });
    return eventId ? { duplicate: false, eventId } : { duplicate: true };
  }
}
