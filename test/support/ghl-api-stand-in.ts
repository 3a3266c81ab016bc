import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ghlId } from './ghl-stand-in.js';

/**
 * A stand-in for HighLevel's REST API v2 (reference/ghl-api.md §4–5), for tests, benchmarks and
 * demos of the backfill: the endpoints the sync reads, with GHL's paging rules and quirks, its
 * per-location rate limits with the real headers and 429s, and injectable 5xx and timeouts.
 */

export interface StandInContact {
  id: string;
  locationId: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  tags: string[];
  customFields: { id: string; value: unknown }[];
  dateAdded: string;
  dateUpdated: string;
}

export interface StandInStage {
  id: string;
  name: string;
  position: number;
}

export interface StandInPipeline {
  id: string;
  name: string;
  stages: StandInStage[];
}

export interface StandInOpportunity {
  id: string;
  name: string;
  monetaryValue: number;
  pipelineId: string;
  pipelineStageId: string;
  status: 'open' | 'won' | 'lost' | 'abandoned';
  contactId: string;
  locationId: string;
  createdAt: string;
  updatedAt: string;
}

export interface StandInAppointment {
  id: string;
  calendarId: string;
  locationId: string;
  contactId: string;
  title: string;
  appointmentStatus: string;
  startTime: string;
  endTime: string;
  dateAdded: string;
  dateUpdated: string;
}

export interface RateLimits {
  /** Requests per window per location (GHL: 100 per 10 s). */
  readonly burst: number;
  readonly windowMs: number;
  /** Requests per day per location (GHL: 200,000). */
  readonly daily: number;
}

export type InjectedFailure = { readonly status: number } | { readonly delayMs: number };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly at: number;
}

const VERSIONS: [RegExp, string][] = [
  [/^\/calendars\//, '2021-04-15'],
  [/^\/(contacts|opportunities)\//, '2021-07-28'],
];
const SEARCH_MAX_PAGE_LIMIT = 500;
const SEARCH_MAX_PAGED_RECORDS = 10_000;
const OPPORTUNITIES_MAX_LIMIT = 100;

export class GhlApiStandIn {
  readonly contacts = new Map<string, StandInContact>();
  readonly opportunities = new Map<string, StandInOpportunity>();
  readonly pipelines: StandInPipeline[] = [];
  readonly calendars: { id: string; name: string }[] = [];
  readonly appointments = new Map<string, StandInAppointment>();
  readonly requests: RecordedRequest[] = [];
  private readonly failures: InjectedFailure[] = [];
  private readonly windowHits: number[] = [];
  private dailyHits = 0;
  private sortedContacts: StandInContact[] | undefined;
  private sortedKeys: string[] = [];
  private readonly server: Server;

  private constructor(
    readonly locationId: string,
    readonly token: string,
    readonly limits: RateLimits,
  ) {
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  static async start(
    options: { locationId?: string; token?: string; limits?: Partial<RateLimits>; port?: number } = {},
  ): Promise<GhlApiStandIn> {
    const standIn = new GhlApiStandIn(options.locationId ?? 've9EPM428h8vShlRW1KT', options.token ?? 'pit-stand-in', {
      burst: 100,
      windowMs: 10_000,
      daily: 200_000,
      ...options.limits,
    });
    await new Promise<void>((resolve) => standIn.server.listen(options.port ?? 0, '127.0.0.1', resolve));
    return standIn;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** How many requests were answered 429. */
  get throttled(): number {
    return this.requests.filter((request) => request.status === 429).length;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next requests fail this way, one each, in order (after authentication and rate limiting). */
  injectFailures(...failures: InjectedFailure[]): void {
    this.failures.push(...failures);
  }

  seedContacts(count: number, startedAt = Date.parse('2025-01-01T00:00:00Z')): StandInContact[] {
    const seeded = Array.from({ length: count }, (_, index) => {
      const at = new Date(startedAt + (this.contacts.size + index) * 1000).toISOString();
      const contact: StandInContact = {
        id: ghlId(),
        locationId: this.locationId,
        email: `client.${this.contacts.size + index}@example.com`,
        phone: `+1213373${String((this.contacts.size + index) % 10_000).padStart(4, '0')}`,
        firstName: 'Jordan',
        lastName: `Client${this.contacts.size + index}`,
        tags: index % 3 === 0 ? ['lead', 'vip'] : ['lead'],
        customFields: [{ id: 'goal', value: 'Run a marathon' }],
        dateAdded: at,
        dateUpdated: at,
      };
      return contact;
    });
    for (const contact of seeded) this.contacts.set(contact.id, contact);
    return seeded;
  }

  seedPipeline(stageNames: string[] = ['Lead', 'Discovery call', 'Proposal']): StandInPipeline {
    const pipeline = {
      id: ghlId(),
      name: `Pipeline ${this.pipelines.length + 1}`,
      stages: stageNames.map((name, position) => ({ id: crypto.randomUUID(), name, position })),
    };
    this.pipelines.push(pipeline);
    return pipeline;
  }

  seedOpportunities(count: number, pipeline: StandInPipeline, contacts: StandInContact[]): StandInOpportunity[] {
    const startedAt = Date.parse('2025-06-01T00:00:00Z');
    const seeded = Array.from({ length: count }, (_, index) => {
      const at = new Date(startedAt + (this.opportunities.size + index) * 1000).toISOString();
      return {
        id: ghlId(),
        name: `Coaching ${this.opportunities.size + index}`,
        monetaryValue: 100 * ((index % 12) + 1),
        pipelineId: pipeline.id,
        pipelineStageId: pipeline.stages[index % pipeline.stages.length]!.id,
        status: (['open', 'open', 'won', 'lost'] as const)[index % 4]!,
        contactId: contacts[index % contacts.length]!.id,
        locationId: this.locationId,
        createdAt: at,
        updatedAt: at,
      };
    });
    for (const opportunity of seeded) this.opportunities.set(opportunity.id, opportunity);
    return seeded;
  }

  seedAppointments(
    count: number,
    contacts: StandInContact[],
    from = Date.parse('2026-01-05T09:00:00Z'),
  ): StandInAppointment[] {
    if (this.calendars.length === 0) this.calendars.push({ id: ghlId(), name: 'Coaching sessions' });
    const seeded = Array.from({ length: count }, (_, index) => {
      const start = from + (this.appointments.size + index) * 3_600_000;
      return {
        id: ghlId(),
        calendarId: this.calendars[index % this.calendars.length]!.id,
        locationId: this.locationId,
        contactId: contacts[index % contacts.length]!.id,
        title: 'Coaching session',
        appointmentStatus: 'confirmed',
        startTime: new Date(start).toISOString(),
        endTime: new Date(start + 1_800_000).toISOString(),
        dateAdded: new Date(from).toISOString(),
        dateUpdated: new Date(from).toISOString(),
      };
    });
    for (const appointment of seeded) this.appointments.set(appointment.id, appointment);
    return seeded;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const send = (status: number, body: unknown) => {
      this.requests.push({ method: request.method ?? 'GET', path: url.pathname, status, at: Date.now() });
      response.writeHead(status, { 'content-type': 'application/json', ...this.rateLimitHeaders() });
      response.end(JSON.stringify(body));
    };
    const body = await readJson(request).catch(() => undefined);
    if (!body) return send(400, { statusCode: 400, message: 'Unexpected token in JSON' });

    if (request.headers.authorization !== `Bearer ${this.token}`) {
      return send(401, { statusCode: 401, message: 'Invalid JWT' });
    }
    const version = VERSIONS.find(([pattern]) => pattern.test(url.pathname))?.[1];
    if (version && request.headers.version !== version) {
      return send(400, { statusCode: 400, message: `Version header must be ${version}` });
    }
    if (!this.takeRequestBudget()) return send(429, { statusCode: 429, message: 'Too Many Requests' });
    const failure = this.failures.shift();
    if (failure && 'status' in failure)
      return send(failure.status, { statusCode: failure.status, message: 'Injected failure' });
    if (failure) await new Promise((resolve) => setTimeout(resolve, failure.delayMs));

    const route = `${request.method} ${url.pathname}`;
    const query = url.searchParams;
    if (route === 'POST /contacts/search') return this.searchContacts(body, send);
    if (route === 'GET /opportunities/search') return this.searchOpportunities(query, send);
    if (route === 'GET /opportunities/pipelines') return send(200, { pipelines: this.pipelines });
    if (route === 'GET /calendars/') return send(200, { calendars: this.calendars });
    if (route === 'GET /calendars/events') return this.calendarEvents(query, send);
    return send(404, { statusCode: 404, message: `Cannot ${route}` });
  }

  /** `page` + `pageLimit` up to 10,000 records, `searchAfter` (from the last contact) beyond. */
  private searchContacts(body: Record<string, unknown>, send: (status: number, body: unknown) => void): void {
    const pageLimit = Number(body.pageLimit);
    if (body.locationId !== this.locationId || !Number.isInteger(pageLimit) || pageLimit < 1) {
      return send(422, { statusCode: 422, message: ['locationId should not be empty', 'pageLimit must be a number'] });
    }
    if (pageLimit > SEARCH_MAX_PAGE_LIMIT) {
      return send(422, { statusCode: 422, message: [`pageLimit must not be greater than ${SEARCH_MAX_PAGE_LIMIT}`] });
    }
    const sorted = this.contactsByUpdate().filter((contact) => matchesUpdatedSince(contact.dateUpdated, body.filters));
    let start: number;
    if (Array.isArray(body.searchAfter)) {
      if (body.page !== undefined)
        return send(422, { statusCode: 422, message: ['page and searchAfter cannot be used together'] });
      const [after, afterId] = body.searchAfter as [number, string];
      start = sorted.findIndex(
        (contact) =>
          Date.parse(contact.dateUpdated) > after ||
          (Date.parse(contact.dateUpdated) === after && contact.id > afterId),
      );
      if (start === -1) start = sorted.length;
    } else {
      const page = Number(body.page ?? 1);
      if (page * pageLimit > SEARCH_MAX_PAGED_RECORDS) {
        return send(422, { statusCode: 422, message: ['page * pageLimit must not exceed 10000; use searchAfter'] });
      }
      start = (page - 1) * pageLimit;
    }
    const contacts = sorted
      .slice(start, start + pageLimit)
      .map((contact) => ({ ...contact, searchAfter: [Date.parse(contact.dateUpdated), contact.id] }));
    send(200, { contacts, total: sorted.length });
  }

  /**
   * Contacts in search order (`dateUpdated`, then id), sorted again only when one was added, removed
   * or changed its `dateUpdated` (tests change them in place): a 50,000-contact listing would
   * otherwise spend its time sorting.
   */
  private contactsByUpdate(): StandInContact[] {
    const cached = this.sortedContacts;
    const fresh =
      cached?.length === this.contacts.size &&
      cached.every(
        (contact, index) => this.contacts.get(contact.id) === contact && this.sortedKeys[index] === contact.dateUpdated,
      );
    if (!fresh) {
      this.sortedContacts = [...this.contacts.values()].sort((a, b) =>
        a.dateUpdated === b.dateUpdated ? (a.id < b.id ? -1 : 1) : a.dateUpdated < b.dateUpdated ? -1 : 1,
      );
      this.sortedKeys = this.sortedContacts.map((contact) => contact.dateUpdated);
    }
    return this.sortedContacts!;
  }

  /** snake_case `location_id`; paging needs both `startAfter` and `startAfterId` (one alone restarts). */
  private searchOpportunities(query: URLSearchParams, send: (status: number, body: unknown) => void): void {
    if (query.get('location_id') !== this.locationId) {
      return send(422, { statusCode: 422, message: ["location_id can't be undefined"] });
    }
    const limit = Math.min(Number(query.get('limit') ?? 20), OPPORTUNITIES_MAX_LIMIT);
    const sorted = [...this.opportunities.values()].sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
    );
    const startAfter = query.get('startAfter');
    const startAfterId = query.get('startAfterId');
    let start = 0;
    if (startAfter && startAfterId) {
      start = sorted.findIndex(
        (item) =>
          Date.parse(item.createdAt) > Number(startAfter) ||
          (Date.parse(item.createdAt) === Number(startAfter) && item.id > startAfterId),
      );
      if (start === -1) start = sorted.length;
    }
    const page = sorted.slice(start, start + limit);
    const last = page.at(-1);
    const more = start + limit < sorted.length;
    send(200, {
      opportunities: page,
      meta: {
        total: sorted.length,
        startAfter: more && last ? Date.parse(last.createdAt) : null,
        startAfterId: more && last ? last.id : null,
        nextPageUrl:
          more && last
            ? `/opportunities/search?location_id=${this.locationId}&startAfter=${Date.parse(last.createdAt)}&startAfterId=${last.id}`
            : null,
      },
      aggregations: {},
    });
  }

  /** Epoch-millisecond windows, one calendar at a time; no paging (none is documented). */
  private calendarEvents(query: URLSearchParams, send: (status: number, body: unknown) => void): void {
    const startTime = Number(query.get('startTime'));
    const endTime = Number(query.get('endTime'));
    const calendarId = query.get('calendarId');
    if (
      query.get('locationId') !== this.locationId ||
      !calendarId ||
      !Number.isFinite(startTime) ||
      !Number.isFinite(endTime)
    ) {
      return send(422, {
        statusCode: 422,
        message: ['locationId, calendarId, startTime and endTime (epoch ms) are required'],
      });
    }
    const events = [...this.appointments.values()].filter(
      (event) =>
        event.calendarId === calendarId &&
        Date.parse(event.startTime) >= startTime &&
        Date.parse(event.startTime) < endTime,
    );
    send(200, { events });
  }

  /** A sliding window per location, and a daily count. */
  private takeRequestBudget(): boolean {
    const now = Date.now();
    while (this.windowHits.length > 0 && this.windowHits[0]! <= now - this.limits.windowMs) this.windowHits.shift();
    if (this.windowHits.length >= this.limits.burst || this.dailyHits >= this.limits.daily) return false;
    this.windowHits.push(now);
    this.dailyHits += 1;
    return true;
  }

  private rateLimitHeaders(): Record<string, string> {
    return {
      'x-ratelimit-limit-daily': String(this.limits.daily),
      'x-ratelimit-daily-remaining': String(Math.max(0, this.limits.daily - this.dailyHits)),
      'x-ratelimit-interval-milliseconds': String(this.limits.windowMs),
      'x-ratelimit-max': String(this.limits.burst),
      'x-ratelimit-remaining': String(Math.max(0, this.limits.burst - this.windowHits.length)),
    };
  }
}

function matchesUpdatedSince(dateUpdated: string, filters: unknown): boolean {
  if (!Array.isArray(filters)) return true;
  const range = (filters as { field?: string; operator?: string; value?: { gte?: string } }[]).find(
    (filter) => filter.field === 'dateUpdated' && filter.operator === 'range',
  );
  return !range?.value?.gte || dateUpdated >= new Date(range.value.gte).toISOString();
}

/** The JSON body, `{}` when there is none, undefined when it is not JSON. */
async function readJson(request: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim().startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}
