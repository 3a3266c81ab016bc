import { Injectable } from '@nestjs/common';
import {
  GHLError,
  GHLNetworkError,
  GHLRateLimitError,
  GHLServerError,
  HighLevel,
  type RateLimitInfo,
} from '@gohighlevel/api-client';
import { AppConfig } from '../config/app-config.js';
import { PermanentSyncError, RetryAfterError } from '../dlq/sync-errors.js';
import { RateLimitGovernor, type RequestPurpose } from './rate-limit-governor.js';

/** The `Version` header each API area documents (reference/ghl-api.md §4). */
export const GHL_API_VERSIONS = {
  contacts: '2021-07-28',
  opportunities: '2021-07-28',
  calendars: '2021-04-15',
} as const;

const REQUEST_TIMEOUT_MS = 15_000;
/** When a daily-limit 429 does not say when the day resets, try again in an hour. */
const DAILY_LIMIT_FALLBACK_SECONDS = 3_600;

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
 * vocabulary: 429 → RetryAfterError (wait as the headers say), other 4xx → PermanentSyncError
 * (UpstreamRejected, no retry), 5xx and network errors → retried on the schedule.
 */
@Injectable()
export class GhlClient {
  private readonly sdk: HighLevel;
  private readonly locationId: string;
  private readonly baseURL: string;

  constructor(
    config: AppConfig,
    private readonly rateLimits: RateLimitGovernor,
  ) {
    if (!config.ghl.privateIntegrationToken || !config.ghl.locationId) {
      throw new Error('GhlClient needs GHL_LOCATION_ID and GHL_PRIVATE_INTEGRATION_TOKEN');
    }
    // The SDK's own error logs print whole request configs; the caller logs the translated error
    // instead. ('none', not LogLevel.NONE: the SDK reads `logLevel || 'warn'`, and NONE is 0.)
    this.sdk = new HighLevel({ privateIntegrationToken: config.ghl.privateIntegrationToken, logLevel: 'none' });
    this.locationId = config.ghl.locationId;
    this.baseURL = config.ghl.apiBaseUrl;
    // Every answer tells the governor what is left of the location's budget.
    this.sdk.addResponseInterceptor({
      onFulfilled: async (response) => {
        await this.rateLimits.observe(this.locationId, { ...response.headers });
        return response;
      },
    });
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

  /** Waits for the governor's go, sends, and translates a failure (a 429 also pauses the location). */
  private async call<T>(
    area: keyof typeof GHL_API_VERSIONS,
    request: (options: { baseURL: string; timeout: number; headers: Record<string, string> }) => Promise<T>,
    purpose: RequestPurpose = 'backfill',
  ): Promise<T> {
    await this.rateLimits.acquire(this.locationId, purpose);
    try {
      return await request({
        baseURL: this.baseURL,
        timeout: REQUEST_TIMEOUT_MS,
        headers: { Version: GHL_API_VERSIONS[area] },
      });
    } catch (error) {
      const failure = translated(error);
      if (failure instanceof RetryAfterError)
        await this.rateLimits.blockFor(this.locationId, failure.retryAfterSeconds);
      throw failure;
    }
  }
}

/** The one place GHL's errors become the sync's. */
export function translated(error: unknown): unknown {
  if (error instanceof GHLRateLimitError) {
    return new RetryAfterError(
      `GHL rate limit (${error.rateLimit?.scope ?? 'unknown'}): ${error.message}`,
      waitSeconds(error.rateLimit),
    );
  }
  if (error instanceof GHLServerError || error instanceof GHLNetworkError) return error;
  if (
    error instanceof GHLError &&
    error.statusCode !== undefined &&
    error.statusCode >= 400 &&
    error.statusCode < 500
  ) {
    return new PermanentSyncError(`GHL answered ${error.statusCode}: ${error.message}`, 'UpstreamRejected');
  }
  return error;
}

function waitSeconds(rateLimit: RateLimitInfo | undefined): number {
  if (rateLimit?.scope === 'daily') {
    return rateLimit.dailyResetMs ? Math.ceil(rateLimit.dailyResetMs / 1000) : DAILY_LIMIT_FALLBACK_SECONDS;
  }
  return Math.max(1, Math.ceil((rateLimit?.intervalMs ?? 10_000) / 1000));
}
