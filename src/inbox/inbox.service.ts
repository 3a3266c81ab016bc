import { Injectable } from '@nestjs/common';
import { GroupedWrites } from '../common/grouped-writes.js';
import type { InboundEvent } from './inbound-event.js';
import { InboxRelayNotifier } from './inbox-relay.notifier.js';
import { InboxRepository, type InboxInsert } from './inbox.repository.js';
import { IntakeDuplicatesRepository } from './intake-duplicates.repository.js';

export type AcceptResult = { readonly duplicate: false; readonly eventId: string } | { readonly duplicate: true };

export interface AcceptOptions {
  /** Cancels a statement of the acceptance that waits longer than this (a stalled database). */
  readonly statementTimeoutMs?: number;
}

interface PendingInsert extends InboxInsert {
  readonly statementTimeoutMs: number | undefined;
}

/**
 * Inserts written at once, leaving the rest of the pool to workers, the relay and reads; under
 * load each of them carries the deliveries that arrived meanwhile (ADR 0021).
 */
const INSERTS_IN_FLIGHT = 4;
/** Rows per INSERT at most: about 1.5 KB each, so a statement stays far below a megabyte. */
const ROWS_PER_INSERT = 100;

/** SQLSTATE class 22, data exception: what one row alone can cause (a `\u0000` that jsonb refuses, say). */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

/** A write that has waited its statement timeout for a slot is not started: its caller has answered 429. */
function notAfterOf({ statementTimeoutMs }: AcceptOptions): number | undefined {
  return statementTimeoutMs ? Date.now() + statementTimeoutMs : undefined;
}

@Injectable()
export class InboxService {
  private readonly inserts: GroupedWrites<PendingInsert, string | undefined>;

  constructor(
    inbox: InboxRepository,
    duplicates: IntakeDuplicatesRepository,
    private readonly relay: InboxRelayNotifier,
  ) {
    this.inserts = new GroupedWrites(
      async (pending) => {
        const options = {
          statementTimeoutMs: Math.max(...pending.map((each) => each.statementTimeoutMs ?? 0)) || undefined,
        };
        const ids = await inbox.insertAllIfNew(pending, options);
        const turnedAway = pending.filter((_, index) => ids[index] === undefined).map(({ event }) => event);
        // Awaited, so counts hold no more connections than the inserts in flight, even in a storm of redeliveries.
        await duplicates.countTurnedAway(turnedAway, options);
        return ids;
      },
      { maxInFlight: INSERTS_IN_FLIGHT, maxGroupSize: ROWS_PER_INSERT, mayBeOneItems: isDataException },
    );
  }

  /**
   * Records an inbound event: one row, the only durable write of an acceptance, answered once it
   * is committed (with others that arrived meanwhile, ADR 0021). Its processing job is enqueued by
   * the relay (ADR 0017), which takes every committed row waiting for it, so an accepted event
   * always gets its job and a rolled-back one never does. A repeated idempotency key changes nothing.
   */
  async accept(event: InboundEvent, options: AcceptOptions = {}): Promise<AcceptResult> {
    const eventId = await this.inserts.add(
      { event, statementTimeoutMs: options.statementTimeoutMs },
      { notAfter: notAfterOf(options) },
    );
    if (!eventId) return { duplicate: true };
    this.relay.rowStored();
    return { duplicate: false, eventId };
  }

  /** Records an event of a type no domain handler syncs: kept for the record, outcome IGNORED, no job. */
  async recordIgnored(event: InboundEvent, options: AcceptOptions = {}): Promise<AcceptResult> {
    const eventId = await this.inserts.add(
      { event, finalOutcome: 'IGNORED', statementTimeoutMs: options.statementTimeoutMs },
      { notAfter: notAfterOf(options) },
    );
    return eventId ? { duplicate: false, eventId } : { duplicate: true };
  }
}
