import { Module } from '@nestjs/common';
import { InboxModule } from '../inbox/inbox.module.js';
import { MetricsModule } from '../observability/metrics/metrics.module.js';
import { GhlWebhookController } from './ghl-webhook.controller.js';
import { GhlWebhookIntake } from './ghl-webhook.intake.js';

/** POST /webhooks/ghl: verify, validate, record in the inbox, enqueue, acknowledge. */
@Module({
  imports: [InboxModule, MetricsModule],
  controllers: [GhlWebhookController],
  providers: [GhlWebhookIntake],
})
export class WebhooksModule {}
