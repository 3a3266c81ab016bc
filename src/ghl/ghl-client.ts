import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { GHLNotFoundError, HighLevel } from '@gohighlevel/api-client';
import axios, { isAxiosError, type AxiosResponseHeaders, type RawAxiosResponseHeaders } from 'axios';
import { AppConfig } from '../config/app-config.js';
import { RetryAfterError } from '../dlq/sync-errors.js';
import { createContactBody, updateContactBody } from './contact-write-body.js';
import {
  toContactRecord,
  type DuplicateLookup,
  type GhlContactFields,
  type GhlContactRecord,
  type GhlContactUpdate,
} from './ghl-contact.js';
import { translated, type GhlOperation } from './ghl-errors.js';
import { RateLimitGovernor, type RequestPurpose } from './rate-limit-governor.js';

export { translated } from './ghl-errors.js';

/** The `Version` header each API area documents (reference/ghl-api.md §4). */
export const GHL_API_VERSIONS = {
  contacts: '2021-07-28',
  opportunities: '2021-07-28',
  calendars: '2021-04-15',
} as const;

const REQUEST_TIMEOUT_MS = 15_000;

/** Injection token of GhlClientOptions (optional; tests shorten the timeout). */
export const GHL_CLIENT_OPTIONS = Symbol('GHL_CLIENT_OPTIONS');

export interface GhlClientOptions {
  /** A request with no answer after this long fails (a create then surfaces as CreateOutcomeUnknownError). */
  readonly requestTimeoutMs?: number;
}

interface CallOptions {
  readonly purpose?: RequestPurpose;
  readonly operation?: GhlOperation;
}

/** The SDK's DTOs do not admit `null` (clearing a field); our bodies are sent as built. */
type SdkCreateBody = Parameters<HighLevel['contacts']['createContact']>[0];
type SdkUpdateBody = Parameters<HighLevel['contacts']['updateContact']>[1];

type RequestOptions = { baseURL: string; timeout: number; headers: Record<string, string> };

export interface ContactSearchRequest {
  readonly pageLimit: number;
  readonly page?: number;
  readonly searchAfter?: unknown[];
  readonly filters?: unknown[];
  readonly sort?: unknown[];
}

export interface OpportunitySearchRequest {
  readonly limit: number;
  readonly startAfter?: string;
  readonly startAfterId?: string;
}

/**
 * HighLevel's REST API through its official SDK (`@gohighlevel/api-client`), for one location with
 * a Private Integration Token: every request waits for the rate-limit governor, and every answer
 * feeds it; the base URL from GHL_API_BASE_URL (a stand-in in tests), the documented `Version`
 * per area, a timeout, and GHL's failures turned into the sync's error
 * vocabulary (ghl-errors.ts): 429 → RetryAfterError (wait as the headers say), other 4xx →
 * PermanentSyncError (no retry; on writes by kind: duplicate, unknown property, validation), 5xx and
 * network errors → retried on the schedule, except after a create (CreateOutcomeUnknownError).
 * Contact writes go as purpose `outbound`: they share the location's budget with the backfill.
 */
@Injectable()
export class GhlClient {
  private readonly logger = new Logger(GhlClient.name);
  private readonly sdk: HighLevel;
  private readonly locationId: string;
  private readonly baseURL: string;
  private readonly timeoutMs: number;

  constructor(
    config: AppConfig,
    private readonly rateLimits: RateLimitGovernor,
    @Optional() @Inject(GHL_CLIENT_OPTIONS) options: GhlClientOptions = {},
  ) {
    if (!config.ghl.privateIntegrationToken || !config.ghl.locationId) {
      throw new Error('GhlClient needs GHL_LOCATION_ID and GHL_PRIVATE_INTEGRATION_TOKEN');
    }
    // The SDK's own error logs print whole request configs; the caller logs the translated error
    // instead. ('none', not LogLevel.NONE: the SDK reads `logLevel || 'warn'`, and NONE is 0.)
    this.sdk = new HighLevel({ privateIntegrationToken: config.ghl.privateIntegrationToken, logLevel: 'none' });
    this.locationId = config.ghl.locationId;
    this.baseURL = config.ghl.apiBaseUrl;
    this.timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.observeEveryAnswer();
  }

  /**
   * Every answer, 2xx or not, tells the governor what is left of the location's budget. Done in
   * the HTTP adapter rather than a response interceptor: the SDK's own interceptor runs first and
   * turns a 4xx/5xx into a GHLError without the response's headers. A failure to record them is
   * logged, not thrown: GHL has answered, and a create it answered must not look unanswered.
   */
  private observeEveryAnswer(): void {
    const http = this.sdk.getHttpClient();
    const send = axios.getAdapter(http.defaults.adapter);
    const observe = (headers: RawAxiosResponseHeaders | AxiosResponseHeaders) =>
      this.rateLimits
        .observe(this.locationId, { ...headers })
        .catch((error: unknown) => this.logger.warn({ err: error }, 'could not record GHL rate-limit headers'));
    http.defaults.adapter = async (request) => {
      try {
        const response = await send(request);
        await observe(response.headers);
        return response;
      } catch (error) {
        if (isAxiosError(error) && error.response) await observe(error.response.headers);
        throw error;
      }
    };
  }

  async searchContacts(request: ContactSearchRequest): Promise<{ contacts: Record<string, unknown>[]; total: number }> {
    return this.call('contacts', (options) =>
      this.sdk.contacts.searchContactsAdvanced({ locationId: this.locationId, ...request }, options),
    ) as Promise<{ contacts: Record<string, unknown>[]; total: number }>;
  }

  async searchOpportunities(request: OpportunitySearchRequest) {
    return this.call('opportunities', (options) =>
      this.sdk.opportunities.searchOpportunity({ locationId: this.locationId, ...request }, options),
    );
  }

  async getPipelines() {
    return this.call('opportunities', (options) =>
      this.sdk.opportunities.getPipelines({ locationId: this.locationId }, options),
    );
  }

  async getCalendars() {
    return this.call('calendars', (options) =>
      this.sdk.calendars.getCalendars({ locationId: this.locationId }, options),
    );
  }

  /** Appointments of one calendar starting in [from, to) (GHL takes epoch milliseconds). */
  async getCalendarEvents(calendarId: string, from: Date, to: Date) {
    return this.call('calendars', (options) =>
      this.sdk.calendars.getCalendarEvents(
        { locationId: this.locationId, calendarId, startTime: String(from.getTime()), endTime: String(to.getTime()) },
        options,
      ),
    );
  }

  /** GET /contacts/{id}; null when GHL has no such contact (404). */
  async getContact(ghlContactId: string): Promise<GhlContactRecord | null> {
    const answer = await this.call(
      'contacts',
      (options) => this.sdk.contacts.getContact({ contactId: ghlContactId }, options).catch(nullIfNotFound),
      { purpose: 'outbound' },
    );
    return answer?.contact ? toContactRecord(answer.contact as Record<string, unknown>) : null;
  }

  /**
   * GET /contacts/search/duplicate by email or by phone (the SDK's query encoding sends `+` and `@`
   * as %2B and %40, as GHL asks); null when no contact has it.
   */
  async findDuplicate(lookup: DuplicateLookup): Promise<GhlContactRecord | null> {
    const key = 'email' in lookup ? { email: lookup.email } : { number: lookup.phone };
    const answer = (await this.call(
      'contacts',
      (options) => this.sdk.contacts.getDuplicateContact({ locationId: this.locationId, ...key }, options),
      { purpose: 'outbound' },
    )) as { contact?: Record<string, unknown> | null } | null;
    return answer?.contact?.id ? toContactRecord(answer.contact) : null;
  }

  /** POST /contacts/ (tags allowed: a new contact has none to overwrite). Never retry it blind. */
  async createContact(fields: GhlContactFields): Promise<GhlContactRecord> {
    const answer = await this.call(
      'contacts',
      (options) =>
        this.sdk.contacts.createContact(createContactBody(this.locationId, fields) as SdkCreateBody, options),
      { purpose: 'outbound', operation: 'create' },
    );
    return toContactRecord(answer.contact as Record<string, unknown>);
  }

  /** PUT /contacts/{id} with only the given fields; tags go through addTags / removeTags. */
  async updateContact(ghlContactId: string, fields: GhlContactUpdate): Promise<GhlContactRecord> {
    const answer = await this.call(
      'contacts',
      (options) =>
        this.sdk.contacts.updateContact(
          { contactId: ghlContactId },
          updateContactBody(fields) as SdkUpdateBody,
          options,
        ),
      { purpose: 'outbound', operation: 'write' },
    );
    return toContactRecord(answer.contact as unknown as Record<string, unknown>);
  }

  /** POST /contacts/{id}/tags: adds these, keeps the others; answers the contact's tags. */
  addTags(ghlContactId: string, tags: readonly string[]): Promise<string[]> {
    return this.changeTags('addTags', ghlContactId, tags);
  }

  /** DELETE /contacts/{id}/tags: removes these, keeps the others; answers the contact's tags. */
  removeTags(ghlContactId: string, tags: readonly string[]): Promise<string[]> {
    return this.changeTags('removeTags', ghlContactId, tags);
  }

  /** DELETE /contacts/{id}; false when GHL had no such contact (404: deleted already). */
  async deleteContact(ghlContactId: string): Promise<boolean> {
    const answer = await this.call(
      'contacts',
      (options) => this.sdk.contacts.deleteContact({ contactId: ghlContactId }, options).catch(nullIfNotFound),
      { purpose: 'outbound', operation: 'write' },
    );
    return answer !== null;
  }

  private async changeTags(
    method: 'addTags' | 'removeTags',
    ghlContactId: string,
    tags: readonly string[],
  ): Promise<string[]> {
    const answer = await this.call(
      'contacts',
      (options) => this.sdk.contacts[method]({ contactId: ghlContactId }, { tags: [...tags] }, options),
      { purpose: 'outbound', operation: 'write' },
    );
    return (answer.tags ?? []).map(String);
  }

  /** Waits for the governor's go, sends, and translates a failure (a 429 also pauses the location). */
  private async call<T>(
    area: keyof typeof GHL_API_VERSIONS,
    request: (options: RequestOptions) => Promise<T>,
    { purpose = 'backfill', operation = 'read' }: CallOptions = {},
  ): Promise<T> {
    await this.rateLimits.acquire(this.locationId, purpose);
    try {
      return await request({
        baseURL: this.baseURL,
        timeout: this.timeoutMs,
        headers: { Version: GHL_API_VERSIONS[area] },
      });
    } catch (error) {
      const failure = translated(error, operation);
      if (failure instanceof RetryAfterError)
        await this.rateLimits.blockFor(this.locationId, failure.retryAfterSeconds);
      throw failure;
    }
  }
}

function nullIfNotFound(error: unknown): null {
  if (error instanceof GHLNotFoundError) return null;
  throw error;
}
