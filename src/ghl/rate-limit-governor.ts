import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { lockKeys } from '../database/advisory-locks.js';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import { RetryAfterError } from '../dlq/sync-errors.js';

/**
 * GHL's documented defaults per location (reference/ghl-api.md §5). The burst limit is taken from
 * GHL's `X-RateLimit-Max` header only (limits differ per app and location); the window and the daily
 * limit start from these until the headers say otherwise.
 */
export const GHL_DEFAULT_LIMITS = { intervalMs: 10_000, daily: 200_000 } as const;

const UNKNOWN_LIMIT_POLL_MS = 50;
/**
 * Added to GHL's window: a grant is recorded just before its request leaves, GHL counts the request
 * when it arrives, so our window must end a little after GHL's.
 */
const WINDOW_MARGIN_MS = 200;

/**
 * Who is asking. Webhook-triggered fetches may spend the whole budget; the backfill and the outbound
 * contact writes leave GHL_DAILY_RESERVE requests a day to them, and outbound writes also leave
 * them a tenth of every burst window (a burst of pushes must not delay inbound changes).
 */
export type RequestPurpose = 'backfill' | 'webhook' | 'outbound';

/** Share of each burst window that outbound writes leave free for webhook-triggered fetches. */
export const OUTBOUND_BURST_RESERVE = 0.1;

/** How many grants of a window `purpose` may hold, of a burst limit of `burst`. */
export function burstLimitFor(purpose: RequestPurpose, burst: number): number {
  if (purpose !== 'outbound') return burst;
  return Math.max(1, burst - Math.max(1, Math.floor(burst * OUTBOUND_BURST_RESERVE)));
}

type Decision = { readonly granted: true } | { readonly granted: false; readonly waitMs: number };

/**
 * Decides when a request to GHL may go, for every instance at once: grants are rows in Postgres
 * (a sliding window per location, under an advisory lock), not counters in process memory, so two
 * workers together stay inside the budget. It learns from GHL's `X-RateLimit-*` headers and stops
 * sending after a 429 for as long as GHL asked.
 */
@Injectable()
export class RateLimitGovernor {
  private readonly logger = new Logger(RateLimitGovernor.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
  ) {}

  /** Waits until a request for `locationId` may be sent, and records it as sent. */
  async acquire(locationId: string, purpose: RequestPurpose = 'backfill'): Promise<void> {
    for (;;) {
      const decision = await this.prisma.$transaction((transaction) => this.tryGrant(locationId, purpose, transaction));
      if (decision.granted) return;
      await new Promise((resolve) => setTimeout(resolve, decision.waitMs));
    }
  }

  /**
   * What GHL's answer said about the budget (any status): the burst limit, window and daily
   * remainder. `X-RateLimit-Remaining: 0` holds requests until the oldest of our grants in the
   * window leaves it (when other clients of the location spent the burst, GHL's 429 says how long).
   */
  async observe(locationId: string, headers: Record<string, unknown>): Promise<void> {
    const number = (name: string) => {
      const value = Number(headers[name]);
      return Number.isFinite(value) && headers[name] !== undefined ? value : undefined;
    };
    const burstMax = number('x-ratelimit-max');
    const intervalMs = number('x-ratelimit-interval-milliseconds');
    const remaining = number('x-ratelimit-remaining');
    const dailyRemaining = number('x-ratelimit-daily-remaining');
    await this.prisma.$transaction(async (transaction) => {
      await this.ensureRow(locationId, transaction);
      await transaction.$executeRaw`
        UPDATE ghl_sync.ghl_rate_limits SET
          burst_max = COALESCE(${burstMax ?? null}::int, burst_max),
          interval_ms = COALESCE(${intervalMs ?? null}::int, interval_ms),
          daily_remaining = COALESCE(${dailyRemaining ?? null}::int, daily_remaining),
          blocked_until = CASE WHEN ${remaining ?? null}::int = 0
            THEN GREATEST(blocked_until, LEAST(clock_timestamp(), (
                SELECT min(granted_at) FROM ghl_sync.ghl_request_grants WHERE location_id = ${locationId}))
              + make_interval(secs => (COALESCE(${intervalMs ?? null}::int, interval_ms, ${GHL_DEFAULT_LIMITS.intervalMs}) + ${WINDOW_MARGIN_MS}) / 1000.0))
            ELSE blocked_until END,
          updated_at = clock_timestamp()
        WHERE location_id = ${locationId}`;
    });
  }

  /** GHL answered 429: nothing goes to this location for `seconds`. */
  async blockFor(locationId: string, seconds: number): Promise<void> {
    this.logger.warn({ locationId, seconds }, 'GHL rate limit hit; pausing requests to the location');
    await this.prisma.$transaction(async (transaction) => {
      await this.ensureRow(locationId, transaction);
      await transaction.$executeRaw`
        UPDATE ghl_sync.ghl_rate_limits
        SET blocked_until = GREATEST(blocked_until, clock_timestamp() + make_interval(secs => ${seconds}::float8)),
            updated_at = clock_timestamp()
        WHERE location_id = ${locationId}`;
    });
  }

  /**
   * Requests left of the location's daily budget today: GHL's last `X-RateLimit-Daily-Remaining`
   * or the default limit less what this service spent, whichever is lower (preview's budget line).
   */
  async remainingToday(locationId: string): Promise<number> {
    const [state] = await this.prisma.$queryRaw<{ daily_used: number; daily_remaining: number | null }[]>`
      SELECT daily_used, daily_remaining FROM ghl_sync.ghl_rate_limits
       WHERE location_id = ${locationId} AND day = (clock_timestamp() AT TIME ZONE 'UTC')::date`;
    if (!state) return GHL_DEFAULT_LIMITS.daily;
    return dailyLeftOf(state);
  }

  private async tryGrant(
    locationId: string,
    purpose: RequestPurpose,
    transaction: PrismaTransaction,
  ): Promise<Decision> {
    await lockKeys(transaction, [`ghl-rate:${locationId}`]);
    await this.ensureRow(locationId, transaction);
    const [state] = await transaction.$queryRaw<
      {
        daily_used: number;
        daily_remaining: number | null;
        burst: number;
        interval_ms: number;
        blocked_ms: number;
        now: Date;
      }[]
    >`
      UPDATE ghl_sync.ghl_rate_limits
      SET day = (clock_timestamp() AT TIME ZONE 'UTC')::date,
          daily_used = CASE WHEN day = (clock_timestamp() AT TIME ZONE 'UTC')::date THEN daily_used ELSE 0 END,
          daily_remaining = CASE WHEN day = (clock_timestamp() AT TIME ZONE 'UTC')::date THEN daily_remaining ELSE NULL END
      WHERE location_id = ${locationId}
      RETURNING daily_used, daily_remaining,
        burst_max AS burst,
        COALESCE(interval_ms, ${GHL_DEFAULT_LIMITS.intervalMs}) AS interval_ms,
        GREATEST(0, EXTRACT(EPOCH FROM (blocked_until - clock_timestamp())) * 1000)::int AS blocked_ms,
        clock_timestamp() AS now`;
    if (state!.blocked_ms > 0) return { granted: false, waitMs: state!.blocked_ms };

    const dailyLeft = dailyLeftOf(state!);
    if (purpose !== 'webhook' && dailyLeft <= this.config.ghl.dailyReserve) {
      const midnight = new Date(state!.now);
      midnight.setUTCHours(24, 0, 0, 0);
      throw new RetryAfterError(
        `GHL daily budget for ${locationId} is down to its reserve (${this.config.ghl.dailyReserve})`,
        Math.ceil((midnight.getTime() - state!.now.getTime()) / 1000),
      );
    }

    const windowMs = state!.interval_ms + WINDOW_MARGIN_MS;
    const windowStart = new Date(state!.now.getTime() - windowMs);
    await transaction.$executeRaw`DELETE FROM ghl_sync.ghl_request_grants WHERE location_id = ${locationId} AND granted_at <= ${windowStart}`;
    const [window] = await transaction.$queryRaw<{ count: number; oldest: Date | null }[]>`
      SELECT count(*)::int AS count, min(granted_at) AS oldest FROM ghl_sync.ghl_request_grants WHERE location_id = ${locationId}`;
    // Until GHL's first answer has told us the location's burst limit, one request at a time.
    if (state!.burst === null && window!.count > 0) return { granted: false, waitMs: UNKNOWN_LIMIT_POLL_MS };
    if (state!.burst !== null && window!.count >= burstLimitFor(purpose, state!.burst)) {
      const waitMs = window!.oldest!.getTime() + windowMs - state!.now.getTime();
      return { granted: false, waitMs: Math.max(5, waitMs) };
    }
    await transaction.$executeRaw`INSERT INTO ghl_sync.ghl_request_grants (location_id, granted_at) VALUES (${locationId}, ${state!.now})`;
    await transaction.$executeRaw`UPDATE ghl_sync.ghl_rate_limits SET daily_used = daily_used + 1 WHERE location_id = ${locationId}`;
    return { granted: true };
  }

  private async ensureRow(locationId: string, transaction: PrismaTransaction): Promise<void> {
    await transaction.$executeRaw`
      INSERT INTO ghl_sync.ghl_rate_limits (location_id, day) VALUES (${locationId}, (clock_timestamp() AT TIME ZONE 'UTC')::date)
      ON CONFLICT (location_id) DO NOTHING`;
  }
}

/** The lower of GHL's own count and ours: other clients of the location spend its budget too. */
function dailyLeftOf(state: { daily_used: number; daily_remaining: number | null }): number {
  return Math.min(GHL_DEFAULT_LIMITS.daily - state.daily_used, state.daily_remaining ?? Number.POSITIVE_INFINITY);
}
