import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PostHog } from 'posthog-node';
import { AppConfig } from '../../config/app-config.js';

/** Where a sync event came from; never a name, email or phone. */
export interface SyncEventContext {
  readonly eventType: string;
  readonly locationId: string | undefined;
  readonly correlationId: string;
  /** `inbound` (GHL → TrainU) unless said otherwise. */
  readonly direction?: 'inbound' | 'outbound';
}

export type SyncOkOutcome = 'applied' | 'stale' | 'duplicate' | 'ignored';

const DISTINCT_ID = 'trainu-ghl-sync';
const SHUTDOWN_FLUSH_MS = 3_000;

/** `ContactUpdate` → `contact`; the object a GHL event type is about. */
export function objectTypeOf(eventType: string): string {
  const match = /^(Contact|Appointment|Opportunity|Task|Note|Invoice|Order|Location|User)/.exec(eventType);
  return match ? match[1]!.toLowerCase() : 'other';
}

/**
 * PostHog events about the sync: `sync_ok`, `sync_retry`, `sync_dropped`, with ids and types only.
 * posthog-node queues and sends in the background, so capturing never waits on PostHog; when
 * POSTHOG_API_KEY is unset nothing is created or sent. Flushed (bounded) at shutdown.
 */
@Injectable()
export class SyncAnalytics implements OnApplicationShutdown {
  private readonly logger = new Logger(SyncAnalytics.name);
  private readonly client: PostHog | undefined;

  constructor(config: AppConfig) {
    if (!config.posthog.apiKey) return;
    this.client = new PostHog(config.posthog.apiKey, {
      host: config.posthog.host,
      flushAt: 20,
      flushInterval: 5_000,
      requestTimeout: 3_000,
      fetchRetryCount: 1,
      disableGeoip: true,
    });
    this.client.on('error', (error: unknown) => this.logger.warn({ err: error }, 'PostHog did not take events'));
  }

  ok(context: SyncEventContext, outcome: SyncOkOutcome): void {
    this.capture('sync_ok', context, { outcome });
  }

  retry(context: SyncEventContext, details: { attempt: number; delaySeconds: number; errorClass: string }): void {
    this.capture('sync_retry', context, {
      attempt: details.attempt,
      delay_seconds: details.delaySeconds,
      error_class: details.errorClass,
    });
  }

  dropped(context: SyncEventContext, details: { reason: 'dead_lettered' | 'discarded'; errorClass: string }): void {
    this.capture('sync_dropped', context, { reason: details.reason, error_class: details.errorClass });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.shutdown(SHUTDOWN_FLUSH_MS);
  }

  private capture(event: string, context: SyncEventContext, properties: Record<string, unknown>): void {
    this.client?.capture({
      distinctId: DISTINCT_ID,
      event,
      properties: {
        ...properties,
        object_type: objectTypeOf(context.eventType),
        event_type: context.eventType,
        location_id: context.locationId ?? null,
        correlation_id: context.correlationId,
        direction: context.direction ?? 'inbound',
      },
    });
  }
}
