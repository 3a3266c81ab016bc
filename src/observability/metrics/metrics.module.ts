import { Module } from '@nestjs/common';
import { DlqModule } from '../../dlq/dlq.module.js';
import { InboxModule } from '../../inbox/inbox.module.js';
import { OutboundModule } from '../../outbound/outbound.module.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

@Module({
  imports: [DlqModule, InboxModule, OutboundModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
