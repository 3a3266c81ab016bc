import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GhlApiRecords,
  type Answer,
  type StandInAppointment,
  type StandInContact,
  type StandInOpportunity,
  type StandInPipeline,
} from './ghl-api-records.js';
import { GhlApiReads } from './ghl-api-reads.js';
import {
  GhlContactWrites,
  type ContactChange,
  type ContactFieldName,
  type ContactWriteAction,
  type WriteOutcome,
} from './ghl-contact-writes.js';
import type { ContactEventType, GhlStandIn } from './ghl-stand-in.js';
import { GhlWebhookEcho, type EchoDelivery, type WebhookEchoOptions } from './ghl-webhook-echo.js';

export type {
  StandInAppointment,
  StandInContact,
  StandInOpportunity,
  StandInPipeline,
  StandInStage,
} from './ghl-api-records.js';
export type { ContactWriteAction } from './ghl-contact-writes.js';
export type { EchoDelivery } from './ghl-webhook-echo.js';

/**
 * A stand-in for HighLevel's REST API v2 (reference/ghl-api.md §4–5), for tests, benchmarks and
 * demos: the endpoints the sync reads (ghl-api-reads.ts) and the contact writes it makes
 * (ghl-contact-writes.ts), with GHL's paging rules and quirks, its per-location rate limits with the
 * real headers and 429s, injectable 5xx and timeouts, and, after each write, the signed webhook GHL
 * would send (ghl-webhook-echo.ts). The records live in ghl-api-records.ts.
 */

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
  /** The query string as sent (`?…`, or empty), encoding included. */
  readonly query: string;
  readonly status: number;
  readonly at: number;
}

export interface RecordedWrite {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly status: number;
  readonly at: number;
}

/** A GHL workflow that rewrites a field after each API write to a contact (the near-miss case). */
export interface Workflow {
  readonly field: ContactFieldName;
  readonly rewrite: (value: string | null) => string | null;
  readonly delayMs?: number;
}

export interface StandInWebhookOptions extends WebhookEchoOptions {
  /** Events sent after a tag add or remove; which GHL fires is unconfirmed (default ContactTagUpdate). */
  readonly tagEvents?: readonly ContactEventType[];
}

const VERSIONS: [RegExp, string][] = [
  [/^\/calendars\//, '2021-04-15'],
  [/^\/(contacts|opportunities)\//, '2021-07-28'],
];
const CONTACT_PATH = /^\/contacts\/([^/]+)(\/tags)?$/;

export class GhlApiStandIn {
  readonly requests: RecordedRequest[] = [];
  /** Every contact write request, answered or not, in arrival order. */
  readonly writes: RecordedWrite[] = [];
  /** Writes applied, by action; `workflow` and `edit` are changes made inside GHL. */
  readonly actions: Record<ContactWriteAction | 'workflow' | 'edit', number> = {
    create: 0,
    update: 0,
    upsert: 0,
    addTags: 0,
    removeTags: 0,
    delete: 0,
    workflow: 0,
    edit: 0,
  };
  /**
   * An injected failure on a create is answered after the contact was stored (and its webhook
   * sent): GHL can create a contact and still answer an error or nothing ([ISS#64]).
   */
  answerCreatesLate = false;
  private readonly records: GhlApiRecords;
  private readonly reads: GhlApiReads;
  private readonly contactWrites: GhlContactWrites;
  private readonly echo: GhlWebhookEcho;
  private readonly failures: InjectedFailure[] = [];
  private readonly writeFailures: InjectedFailure[] = [];
  private readonly workflows: Workflow[] = [];
  private tagEvents: readonly ContactEventType[] = ['ContactTagUpdate'];
  private readonly windowHits: number[] = [];
  private dailyHits = 0;
  private readonly server: Server;

  private constructor(
    readonly locationId: string,
    readonly token: string,
    readonly limits: RateLimits,
  ) {
    this.records = new GhlApiRecords(locationId);
    this.reads = new GhlApiReads(this.records);
    this.contactWrites = new GhlContactWrites(this.records);
    this.echo = new GhlWebhookEcho(locationId);
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  static async start(
    options: {
      locationId?: string;
      token?: string;
      limits?: Partial<RateLimits>;
      port?: number;
      allowDuplicates?: boolean;
      answerCreatesLate?: boolean;
    } = {},
  ): Promise<GhlApiStandIn> {
    const standIn = new GhlApiStandIn(options.locationId ?? 've9EPM428h8vShlRW1KT', options.token ?? 'pit-stand-in', {
      burst: 100,
      windowMs: 10_000,
      daily: 200_000,
      ...options.limits,
    });
    standIn.allowDuplicates = options.allowDuplicates ?? false;
    standIn.answerCreatesLate = options.answerCreatesLate ?? false;
    await new Promise<void>((resolve) => standIn.server.listen(options.port ?? 0, '127.0.0.1', resolve));
    return standIn;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get contacts(): Map<string, StandInContact> {
    return this.records.contacts;
  }

  get opportunities(): Map<string, StandInOpportunity> {
    return this.records.opportunities;
  }

  get pipelines(): StandInPipeline[] {
    return this.records.pipelines;
  }

  get calendars(): { id: string; name: string }[] {
    return this.records.calendars;
  }

  get appointments(): Map<string, StandInAppointment> {
    return this.records.appointments;
  }

  /** The location's "Allow Duplicate Contact" setting (GHL's default: off). */
  get allowDuplicates(): boolean {
    return this.contactWrites.allowDuplicates;
  }

  set allowDuplicates(allowed: boolean) {
    this.contactWrites.allowDuplicates = allowed;
  }

  /** How many requests were answered 429. */
  get throttled(): number {
    return this.requests.filter((request) => request.status === 429).length;
  }

  /** The webhooks sent after writes, one entry per copy. */
  get deliveries(): readonly EchoDelivery[] {
    return this.echo.deliveries;
  }

  /** The keys the webhooks are signed with: `webhookSigner.env()` makes the service trust them. */
  get webhookSigner(): GhlStandIn {
    return this.echo.signer;
  }

  async stop(): Promise<void> {
    this.echo.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next requests fail this way, one each, in order (after authentication and rate limiting). */
  injectFailures(...failures: InjectedFailure[]): void {
    this.failures.push(...failures);
  }

  /**
   * The next contact writes fail, one each: a status is answered without writing; a delay holds
   * the request, then writes. With answerCreatesLate a create is stored first and only its answer
   * fails or waits, as in GHL when the client has stopped waiting.
   */
  failNextWrites(...failures: (number | InjectedFailure)[]): void {
    this.writeFailures.push(
      ...failures.map((failure) => (typeof failure === 'number' ? { status: failure } : failure)),
    );
  }

  /** Writes carrying this field are refused 422 `property <name> should not exist`. */
  rejectField(name: string): void {
    this.contactWrites.rejectedFields.add(name);
  }

  /** After each write, the webhook GHL would send, signed, to `options.url`. */
  sendWebhooksTo(options: StandInWebhookOptions): void {
    this.echo.sendTo(options);
    this.tagEvents = options.tagEvents ?? ['ContactTagUpdate'];
  }

  /** Resolves when every scheduled webhook delivery and workflow run is done. */
  settled(): Promise<void> {
    return this.echo.settled();
  }

  /**
   * From now on, after each API write to a contact, `rewrite` changes `field` (its own write and
   * webhook, which do not trigger it again). One workflow per field: a new one for the same field
   * replaces the old. The function returned turns the workflow off.
   */
  runWorkflow(workflow: Workflow): () => void {
    const others = this.workflows.filter((running) => running.field !== workflow.field);
    this.workflows.splice(0, this.workflows.length, ...others, workflow);
    return () => {
      const index = this.workflows.indexOf(workflow);
      if (index !== -1) this.workflows.splice(index, 1);
    };
  }

  /** A coach changes the contact in GHL: a new `dateUpdated`, and its ContactUpdate webhook. */
  editContact(
    id: string,
    fields: Partial<Pick<StandInContact, ContactFieldName | 'tags' | 'customFields'>>,
  ): StandInContact {
    const contact = this.contactWrites.edit(id, fields);
    this.actions.edit += 1;
    this.echo.emit({ type: 'ContactUpdate', contact });
    return contact;
  }

  seedContacts(count: number, startedAt?: number): StandInContact[] {
    return this.records.seedContacts(count, startedAt);
  }

  seedPipeline(stageNames?: string[]): StandInPipeline {
    return this.records.seedPipeline(stageNames);
  }

  seedOpportunities(count: number, pipeline: StandInPipeline, contacts: StandInContact[]): StandInOpportunity[] {
    return this.records.seedOpportunities(count, pipeline, contacts);
  }

  seedAppointments(count: number, contacts: StandInContact[], from?: number): StandInAppointment[] {
    return this.records.seedAppointments(count, contacts, from);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const method = request.method ?? 'GET';
    const send = ({ status, body }: Answer) => {
      this.requests.push({ method, path: url.pathname, query: url.search, status, at: Date.now() });
      response.writeHead(status, { 'content-type': 'application/json', ...this.rateLimitHeaders() });
      response.end(JSON.stringify(body));
    };
    const body = await readJson(request).catch(() => undefined);
    if (!body) return send({ status: 400, body: { statusCode: 400, message: 'Unexpected token in JSON' } });

    if (request.headers.authorization !== `Bearer ${this.token}`) {
      return send({ status: 401, body: { statusCode: 401, message: 'Invalid JWT' } });
    }
    const version = VERSIONS.find(([pattern]) => pattern.test(url.pathname))?.[1];
    if (version && request.headers.version !== version) {
      return send({ status: 400, body: { statusCode: 400, message: `Version header must be ${version}` } });
    }
    if (!this.takeRequestBudget())
      return send({ status: 429, body: { statusCode: 429, message: 'Too Many Requests' } });
    const failure = this.failures.shift();
    if (failure && 'status' in failure)
      return send({ status: failure.status, body: { statusCode: failure.status, message: 'Injected failure' } });
    if (failure) await sleep(failure.delayMs);

    const write = this.contactWrite(method, url.pathname, body);
    if (write) return send(await this.performWrite(method, url.pathname, body, write));
    return send(this.read(`${method} ${url.pathname}`, url.searchParams, body));
  }

  private read(route: string, query: URLSearchParams, body: Record<string, unknown>): Answer {
    if (route === 'POST /contacts/search') return this.reads.searchContacts(body);
    if (route === 'GET /contacts/search/duplicate') return this.reads.duplicate(query);
    if (route === 'GET /opportunities/search') return this.reads.searchOpportunities(query);
    if (route === 'GET /opportunities/pipelines') return { status: 200, body: { pipelines: this.records.pipelines } };
    if (route === 'GET /calendars/') return { status: 200, body: { calendars: this.records.calendars } };
    if (route === 'GET /calendars/events') return this.reads.calendarEvents(query);
    const contact = /^GET \/contacts\/([^/]+)$/.exec(route);
    if (contact) return this.reads.contact(decodeURIComponent(contact[1]!));
    return { status: 404, body: { statusCode: 404, message: `Cannot ${route}` } };
  }

  /** The write a request asks for, as an action and the function doing it; undefined for reads. */
  private contactWrite(
    method: string,
    path: string,
    body: Record<string, unknown>,
  ): { action: ContactWriteAction; run: () => WriteOutcome } | undefined {
    if (method === 'POST' && (path === '/contacts/' || path === '/contacts'))
      return { action: 'create', run: () => this.contactWrites.create(body) };
    if (method === 'POST' && path === '/contacts/upsert')
      return { action: 'upsert', run: () => this.contactWrites.upsert(body) };
    const match = CONTACT_PATH.exec(path);
    if (!match || match[1] === 'search') return undefined;
    const id = decodeURIComponent(match[1]!);
    if (match[2] && (method === 'POST' || method === 'DELETE')) {
      const action = method === 'POST' ? 'addTags' : 'removeTags';
      return { action, run: () => this.contactWrites.tags(id, body, action) };
    }
    if (!match[2] && method === 'PUT') return { action: 'update', run: () => this.contactWrites.update(id, body) };
    if (!match[2] && method === 'DELETE') return { action: 'delete', run: () => this.contactWrites.delete(id) };
    return undefined;
  }

  private async performWrite(
    method: string,
    path: string,
    body: Record<string, unknown>,
    write: { action: ContactWriteAction; run: () => WriteOutcome },
  ): Promise<Answer> {
    const failure = this.writeFailures.shift();
    let answer: Answer;
    if (failure && this.answerCreatesLate && write.action === 'create') {
      const stored = this.applied(write.action, write.run());
      if ('delayMs' in failure) await sleep(failure.delayMs);
      answer = 'status' in failure ? injected(failure.status) : stored;
    } else if (failure && 'status' in failure) {
      answer = injected(failure.status);
    } else {
      if (failure) await sleep(failure.delayMs);
      answer = this.applied(write.action, write.run());
    }
    this.writes.push({ method, path, body, status: answer.status, at: Date.now() });
    return answer;
  }

  /** Counts a successful write, sends its webhooks and runs the workflows on it. */
  private applied(action: ContactWriteAction, outcome: WriteOutcome): Answer {
    if (outcome.change) {
      this.actions[action] += 1;
      this.announce(outcome.change);
      if (outcome.change.type !== 'ContactDelete') this.startWorkflows(outcome.change.contact.id);
    }
    return outcome.answer;
  }

  private announce(change: ContactChange): void {
    const types = change.type === 'ContactTagUpdate' ? this.tagEvents : [change.type];
    for (const type of types) this.echo.emit({ type, contact: change.contact });
  }

  private startWorkflows(contactId: string): void {
    for (const workflow of this.workflows) {
      this.echo.track(async () => {
        await sleep(workflow.delayMs ?? 0);
        const contact = this.records.contacts.get(contactId);
        if (!contact) return;
        const rewritten = workflow.rewrite(contact[workflow.field]);
        if (rewritten === contact[workflow.field]) return;
        this.contactWrites.edit(contactId, { [workflow.field]: rewritten });
        this.actions.workflow += 1;
        this.echo.emit({ type: 'ContactUpdate', contact });
      });
    }
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

function injected(status: number): Answer {
  return { status, body: { statusCode: status, message: 'Injected failure' } };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The JSON body, `{}` when there is none, undefined when it is not JSON. */
async function readJson(request: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim().startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}
