import { Controller, HttpCode, HttpException, Logger, Post, Req, Res, type RawBodyRequest } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RepeatedErrorLog } from '../observability/logging/repeated-error-log.js';
import { GhlWebhookIntake, type WebhookOutcome } from './ghl-webhook.intake.js';
import { WebhookRejection, WebhookRejectionCode } from './webhook-rejection.js';

/** Seconds GHL is told to wait after a 429 (it retries about every 10 minutes regardless). */
const RETRY_AFTER_SECONDS = 60;

@Controller('webhooks')
export class GhlWebhookController {
  private readonly logger = new Logger(GhlWebhookController.name);
  private readonly storeFailures = new RepeatedErrorLog(
    this.logger,
    'could not store a webhook delivery; answering 429 so GHL retries',
  );

  constructor(private readonly intake: GhlWebhookIntake) {}

  /** 200 only once the delivery is committed to the inbox; see WebhookRejectionCode for refusals. */
  @Post('ghl')
  @HttpCode(200)
  async receive(
    @Req() request: RawBodyRequest<FastifyRequest>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ outcome: WebhookOutcome }> {
    try {
      const outcome = await this.intake.receive({
        rawBody: request.rawBody,
        body: request.body,
        headers: request.headers,
        socketAddress: request.socket.remoteAddress ?? '',
        correlationId: request.id,
      });
      return { outcome };
    } catch (error) {
      const rejection = error instanceof WebhookRejection ? error : this.unavailable(error);
      this.logger.warn(
        { code: rejection.code, reason: rejection.reason, field: rejection.field },
        'webhook delivery refused',
      );
      if (rejection.code === WebhookRejectionCode.TemporarilyUnavailable)
        reply.header('retry-after', RETRY_AFTER_SECONDS);
      throw new HttpException(
        {
          statusCode: rejection.status,
          error: rejection.code,
          message: rejection.reason,
          ...(rejection.field && { field: rejection.field }),
        },
        rejection.status,
      );
    }
  }

  /** Anything but a deliberate refusal means the delivery is not stored: ask GHL to retry, never 5xx. */
  private unavailable(error: unknown): WebhookRejection {
    this.storeFailures.report(error);
    return new WebhookRejection(
      WebhookRejectionCode.TemporarilyUnavailable,
      'the delivery could not be stored right now; retry later',
    );
  }
}
