import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { InboundHandlerRegistry } from '../inbox/inbound-handler.registry.js';
import { withinDeadline } from '../common/within-deadline.js';
import { InboxService, type AcceptResult } from '../inbox/inbox.service.js';
import { MetricsService } from '../observability/metrics/metrics.service.js';
import { SyncAnalytics } from '../observability/analytics/sync-analytics.service.js';
import type { InboundEvent } from '../inbox/inbound-event.js';
import { clientIpOf, IpAllowlist } from './client-ip.js';
import { GhlWebhookEnvelopeDto } from './dto/webhook-envelope.dto.js';
import { idempotencyKeyOf, objectIdOf } from './idempotency-key.js';
import { nestingDepthOf } from './json-depth.js';
import { assertValidPayload } from './payload-validation.js';
import { WebhookRejection, WebhookRejectionCode } from './webhook-rejection.js';
import { WebhookSignatureVerifier } from './webhook-signature.verifier.js';

/** One HTTP delivery, as the controller hands it over. */
export interface WebhookDelivery {
  /** The bytes as received; undefined when the body was not JSON (then there is nothing to verify). */
  readonly rawBody: Buffer | undefined;
  readonly body: unknown;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly socketAddress: string;
  readonly correlationId: string;
}

/**
 * Deepest nesting of objects and arrays a delivery may have. GHL's payloads nest about 4 levels
 * (an appointment's `users` list); the limit only keeps a signed but pathological body away from
 * code that recurses (validation, JSON.stringify, jsonb).
 */
export const MAX_PAYLOAD_DEPTH = 64;

/**
 * What `sync_events.type` (NOT NULL) holds for a signed body without `type`. The parentheses keep
 * it apart from every GHL event name, so no handler ever claims it.
 */
export const UNTYPED_EVENT = '(untyped)';

/** accepted: stored and queued; duplicate: seen before, nothing changed; ignored: stored, type not synced. */
export type WebhookOutcome = 'accepted' | 'duplicate' | 'ignored';

/**
 * Decides what happens to a GHL delivery: source, signature, depth, replay window and payload
 * checks, then durable acceptance into the inbox. Throws WebhookRejection for every refusal; any other
 * error means the delivery could not be stored (database down, for instance).
 */
@Injectable()
export class GhlWebhookIntake {
  private readonly allowlist: IpAllowlist;
  private readonly signatures: WebhookSignatureVerifier;

  constructor(
    private readonly config: AppConfig,
    private readonly inbox: InboxService,
    private readonly handlers: InboundHandlerRegistry,
    private readonly analytics: SyncAnalytics,
    private readonly metrics: MetricsService,
  ) {
    this.allowlist = new IpAllowlist(config.webhooks.ipAllowlist);
    this.signatures = new WebhookSignatureVerifier(config.webhooks);
  }

  async receive(delivery: WebhookDelivery): Promise<WebhookOutcome> {
    this.assertAllowedSource(delivery);
    const rawBody = this.assertSigned(delivery);
    assertShallow(rawBody);
    const payload = asObject(delivery.body);
    const envelope = assertValidPayload(GhlWebhookEnvelopeDto, payload);
    // Without a timestamp there is no window to check: HighLevel's own examples carry none (ADR 0006).
    if (envelope.timestamp) this.assertFresh(envelope.timestamp);
    const type = envelope.type ?? UNTYPED_EVENT;
    const handler = this.handlers.handlerFor(type);
    if (handler) assertValidPayload(handler.payloadDto, payload);

    const keyed = { ...payload, ...envelope, type };
    const event: InboundEvent = {
      idempotencyKey: idempotencyKeyOf(keyed, rawBody),
      type,
      locationId: envelope.locationId,
      objectId: objectIdOf(keyed),
      correlationId: delivery.correlationId,
      payload,
    };
    const result = await this.stored(event, Boolean(handler));
    if (!envelope.timestamp) this.metrics.deliveryWithoutTimestamp(type);
    if (result.duplicate)
      this.analytics.ok(
        { eventType: event.type, locationId: event.locationId, correlationId: event.correlationId },
        'duplicate',
      );
    return result.duplicate ? 'duplicate' : handler ? 'accepted' : 'ignored';
  }

  /**
   * Stores the event within WEBHOOK_STORE_TIMEOUT_MS, shorter than GHL's wait for an answer: a
   * database that is down or stalled gets the delivery a 429 (retried by GHL) instead of a timeout
   * (dropped by GHL). Its statements are cancelled at the same deadline, so a stall holds no
   * connection. An acceptance that commits after its 429 only makes the redelivery a duplicate.
   */
  private stored(event: InboundEvent, handled: boolean): Promise<AcceptResult> {
    const timeoutMs = this.config.webhooks.storeTimeoutMs;
    const options = { statementTimeoutMs: timeoutMs };
    const storing = handled ? this.inbox.accept(event, options) : this.inbox.recordIgnored(event, options);
    return withinDeadline(storing, timeoutMs, 'storing the delivery');
  }

  private assertAllowedSource({ socketAddress, headers }: WebhookDelivery): void {
    const ip = clientIpOf(socketAddress, headers, this.config.webhooks.clientIpHeader);
    if (!this.allowlist.allows(ip)) {
      throw new WebhookRejection(
        WebhookRejectionCode.SourceNotAllowed,
        `source address ${ip} is not in WEBHOOK_IP_ALLOWLIST`,
      );
    }
  }

  /** Returns the verified raw body. */
  private assertSigned({ rawBody, headers }: WebhookDelivery): Buffer {
    if (!rawBody) {
      throw new WebhookRejection(
        WebhookRejectionCode.NotJson,
        'the body must be JSON (Content-Type: application/json)',
      );
    }
    const signature = this.signatures.verify(rawBody, headers);
    if (!signature.valid) throw new WebhookRejection(WebhookRejectionCode.SignatureInvalid, signature.reason);
    return rawBody;
  }

  private assertFresh(timestamp: string): void {
    const ageSeconds = (Date.now() - Date.parse(timestamp)) / 1000;
    const window = this.config.webhooks.maxAgeSeconds;
    if (Math.abs(ageSeconds) > window) {
      throw new WebhookRejection(
        WebhookRejectionCode.TimestampOutsideWindow,
        `timestamp ${timestamp} is ${Math.round(ageSeconds)} s from now, outside the ${window} s window (GHL_WEBHOOK_MAX_AGE_SECONDS)`,
      );
    }
  }
}

/** A body too deep to be GHL's can never become valid: 400, so GHL does not retry it. */
function assertShallow(rawBody: Buffer): void {
  const depth = nestingDepthOf(rawBody);
  if (depth > MAX_PAYLOAD_DEPTH) {
    throw new WebhookRejection(
      WebhookRejectionCode.PayloadTooDeep,
      `the body nests ${depth} levels deep; at most ${MAX_PAYLOAD_DEPTH} are accepted`,
    );
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WebhookRejection(WebhookRejectionCode.PayloadInvalid, 'the body must be a JSON object', '(body)');
  }
  return body as Record<string, unknown>;
}
