import { randomBytes } from 'node:crypto';
import { normalizeTags } from '../../src/contacts/contact.mapper.js';
import { ghlId, type GhlStandIn } from './ghl-stand-in.js';

export interface RedeliveringGhlOptions {
  /** Distinct events in all: per contact a ContactCreate, then ContactUpdates. */
  readonly events: number;
  readonly contacts: number;
  /** Share of deliveries followed by an exact duplicate (same bytes), as GHL sends now and then. */
  readonly duplicateShare?: number;
  /** New deliveries started per second (redeliveries come on top). */
  readonly ratePerSecond?: number;
  /** Deliveries in flight at once, a redelivery waiting for its next try included. */
  readonly concurrency?: number;
  /** GHL's own timeout is not documented; about 10 s is assumed. */
  readonly timeoutMs?: number;
  /** Wait before redelivering an answer other than 200 (GHL waits far longer; compressed here). */
  readonly backoffMs?: number;
}

/** One HTTP attempt of one delivery. */
export interface DeliveryAttempt {
  readonly contact: number;
  /** Index of the delivery in the contact's sequence. */
  readonly delivery: number;
  readonly duplicate: boolean;
  /** 1 for the first try, 2 for the first redelivery… */
  readonly attempt: number;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly latencyMs: number;
  readonly status?: number;
  /** The network error instead of an answer: ECONNREFUSED, ECONNRESET, TIMEOUT… */
  readonly error?: string;
  readonly retryAfter?: string;
}

/** What the contacts table must hold for a contact once every event is applied: its last event. */
export interface ExpectedContact {
  readonly ghlContactId: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly tags: readonly string[];
  readonly ghlUpdatedAt: string;
}

export interface LoadSummary {
  readonly events: number;
  /** Originals plus duplicates. */
  readonly deliveries: number;
  readonly attempts: number;
  /** Attempts by HTTP status, or by network error code. */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly tooManyRequests: number;
  readonly tooManyRequestsWithoutRetryAfter: number;
  readonly refused: number;
  /** Any attempt without an HTTP answer (refused, reset, timed out). */
  readonly networkErrors: number;
  readonly serverErrors: number;
  readonly maxLatencyMs: number;
  readonly durationMs: number;
}

interface Delivery {
  readonly contact: number;
  readonly index: number;
  readonly duplicate: boolean;
  /** The event, without its times; the body is frozen (stamped, serialized) at the first try. */
  readonly event: PlannedEvent;
}

interface PlannedEvent {
  readonly type: 'ContactCreate' | 'ContactUpdate';
  readonly fields: Record<string, unknown>;
  body?: string;
  dateUpdated?: string;
}

interface ContactPlan {
  readonly id: string;
  readonly deliveries: Delivery[];
  next: number;
}

/**
 * Sends a contact workload the way GHL's webhook sender does, at a target rate: each contact a
 * ContactCreate then ContactUpdates with strictly increasing `dateUpdated` and `timestamp` (so the
 * last one is the truth), some deliveries twice with the same bytes, and every delivery not
 * answered 200 (any status, a refused or reset connection, a timeout) delivered again, with the
 * same bytes, until it is. A contact's next delivery starts only after its previous one got 200.
 * Every attempt is recorded.
 */
export class RedeliveringGhl {
  readonly attempts: DeliveryAttempt[] = [];
  private readonly contacts: ContactPlan[];
  private readonly options: Required<RedeliveringGhlOptions>;
  private stopped = false;
  private startedAt = 0;
  private finishedAt: number | undefined;

  constructor(
    private readonly ghl: GhlStandIn,
    options: RedeliveringGhlOptions,
  ) {
    this.options = {
      duplicateShare: 0.2,
      ratePerSecond: 130,
      concurrency: 32,
      timeoutMs: 10_000,
      backoffMs: 250,
      ...options,
    };
    this.contacts = planContacts(this.options);
  }

  get deliveries(): number {
    return this.contacts.reduce((sum, contact) => sum + contact.deliveries.length, 0);
  }

  get finished(): boolean {
    return this.finishedAt !== undefined;
  }

  /** Delivers everything to `<baseUrl>/webhooks/ghl`; resolves once all got 200, or after stop(). */
  async run(baseUrl: string): Promise<void> {
    this.startedAt = Date.now();
    const ready = shuffled(this.contacts.map((_, index) => index));
    const running = new Set<Promise<void>>();
    const intervalMs = 1000 / this.options.ratePerSecond;
    let nextStart = Date.now();
    while (!this.stopped && (ready.length > 0 || running.size > 0)) {
      if (ready.length === 0 || running.size >= this.options.concurrency) {
        await Promise.race(running);
        continue;
      }
      // No catching up after a stall: the rate is a ceiling, never a burst.
      nextStart = Math.max(nextStart + intervalMs, Date.now());
      await sleep(nextStart - Date.now());
      const index = ready.shift()!;
      const contact = this.contacts[index]!;
      const delivery = contact.deliveries[contact.next]!;
      const work = this.deliverUntilAccepted(baseUrl, delivery).then(() => {
        running.delete(work);
        contact.next += 1;
        if (contact.next < contact.deliveries.length) ready.push(index);
      });
      running.add(work);
    }
    await Promise.all(running);
    this.finishedAt = Date.now();
  }

  /** Ends the run: no new attempts; those in flight finish. */
  stop(): void {
    this.stopped = true;
  }

  /** The first attempt answered 200 at or after `time` (epoch ms). */
  firstAcceptedAfter(time: number): DeliveryAttempt | undefined {
    return this.attempts.find((attempt) => attempt.status === 200 && attempt.endedAt >= time);
  }

  /** Per contact, the state its last event describes (complete once run() has sent them all). */
  expectedContacts(): ExpectedContact[] {
    return this.contacts.map((contact) => {
      const last = contact.deliveries.at(-1)!.event;
      return {
        ghlContactId: contact.id,
        email: (last.fields.email as string).toLowerCase(),
        firstName: last.fields.firstName as string,
        lastName: last.fields.lastName as string,
        tags: normalizeTags(last.fields.tags as string[]),
        ghlUpdatedAt: last.dateUpdated ?? '(never sent)',
      };
    });
  }

  summary(): LoadSummary {
    const byStatus: Record<string, number> = {};
    for (const attempt of this.attempts) {
      const key = attempt.error ?? String(attempt.status);
      byStatus[key] = (byStatus[key] ?? 0) + 1;
    }
    const count = (predicate: (attempt: DeliveryAttempt) => boolean) => this.attempts.filter(predicate).length;
    return {
      events: this.options.events,
      deliveries: this.deliveries,
      attempts: this.attempts.length,
      byStatus,
      tooManyRequests: count((attempt) => attempt.status === 429),
      tooManyRequestsWithoutRetryAfter: count((attempt) => attempt.status === 429 && !attempt.retryAfter),
      refused: count((attempt) => attempt.error === 'ECONNREFUSED'),
      networkErrors: count((attempt) => attempt.error !== undefined),
      serverErrors: count((attempt) => attempt.status !== undefined && attempt.status >= 500),
      maxLatencyMs: Math.round(Math.max(0, ...this.attempts.map((attempt) => attempt.latencyMs))),
      durationMs: (this.finishedAt ?? Date.now()) - this.startedAt,
    };
  }

  private async deliverUntilAccepted(baseUrl: string, delivery: Delivery): Promise<void> {
    const body = this.bodyOf(delivery.event);
    for (let attempt = 1; !this.stopped; attempt += 1) {
      if ((await this.attempt(baseUrl, delivery, body, attempt)).status === 200) return;
      await sleep(this.options.backoffMs);
    }
  }

  /** Stamped and serialized once, at its first try: every later try and duplicate sends these bytes. */
  private bodyOf(event: PlannedEvent): string {
    if (event.body) return event.body;
    const sentAt = new Date(nextInstant());
    event.dateUpdated = new Date(sentAt.getTime() - 1).toISOString();
    event.body = JSON.stringify(
      this.ghl.contactEvent(event.type, {
        ...event.fields,
        dateUpdated: event.dateUpdated,
        timestamp: sentAt.toISOString(),
      }),
    );
    return event.body;
  }

  private async attempt(baseUrl: string, delivery: Delivery, body: string, attempt: number): Promise<DeliveryAttempt> {
    const startedAt = Date.now();
    const started = performance.now();
    let outcome: Pick<DeliveryAttempt, 'status' | 'error' | 'retryAfter'>;
    try {
      const response = await fetch(`${baseUrl}/webhooks/ghl`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.ghl.signatureHeaders(body) },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.arrayBuffer();
      outcome = { status: response.status, retryAfter: response.headers.get('retry-after') ?? undefined };
    } catch (error) {
      outcome = { error: networkErrorCode(error) };
    }
    const record: DeliveryAttempt = {
      contact: delivery.contact,
      delivery: delivery.index,
      duplicate: delivery.duplicate,
      attempt,
      startedAt,
      endedAt: Date.now(),
      latencyMs: performance.now() - started,
      ...outcome,
    };
    this.attempts.push(record);
    return record;
  }
}

/** Events spread over the contacts (the first ones get one more when they do not divide evenly). */
function planContacts(options: Required<RedeliveringGhlOptions>): ContactPlan[] {
  const random = seededRandom(options.events * 7919 + options.contacts);
  const run = randomBytes(3).toString('hex');
  return Array.from({ length: options.contacts }, (_, contact) => {
    const id = ghlId();
    const events =
      Math.floor(options.events / options.contacts) + (contact < options.events % options.contacts ? 1 : 0);
    const deliveries: Delivery[] = [];
    for (let version = 0; version < events; version += 1) {
      const event = plannedEvent(run, id, contact, version);
      deliveries.push({ contact, index: deliveries.length, duplicate: false, event });
      if (random() < options.duplicateShare) {
        deliveries.push({ contact, index: deliveries.length, duplicate: true, event });
      }
    }
    return { id, deliveries, next: 0 };
  });
}

/** Version `version` of a contact: names and tags change every time, the email every fourth. */
function plannedEvent(run: string, id: string, contact: number, version: number): PlannedEvent {
  const firstName = `Restart${version}`;
  const lastName = `Contact${contact}-v${version}`;
  return {
    type: version === 0 ? 'ContactCreate' : 'ContactUpdate',
    fields: {
      id,
      email: `Restart.${run}.${contact}.${Math.floor(version / 4)}@Example.com`,
      firstName,
      lastName,
      name: `${firstName} ${lastName}`,
      tags: ['Lead', `Round ${version}`, ...(version % 2 === 0 ? ['Boot Camp'] : [])],
    },
  };
}

let lastInstant = 0;
/** Now, in ms, but always later than the previous call: per contact, times strictly increase. */
function nextInstant(): number {
  lastInstant = Math.max(Date.now(), lastInstant + 2);
  return lastInstant;
}

function networkErrorCode(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'TIMEOUT';
  const cause = (error as { cause?: { code?: string; name?: string } }).cause;
  return cause?.code ?? cause?.name ?? (error instanceof Error ? error.name : String(error));
}

/** mulberry32: the same duplicates for the same sizes. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function shuffled<T>(items: T[]): T[] {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [items[index], items[other]] = [items[other]!, items[index]!];
  }
  return items;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
