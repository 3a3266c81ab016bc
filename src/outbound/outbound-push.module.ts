import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module.js';
import { GhlModule } from '../ghl/ghl.module.js';
import { ContactPlanner } from './contact-planner.service.js';
import { ContactPushService } from './contact-push.service.js';
import { OutboundContactsProcessor } from './outbound-contacts.processor.js';
import { OutboundContactsRepository } from './outbound-contacts.repository.js';
import { OutboundLogRepository } from './outbound-log.repository.js';
import { OutboundPlansRepository } from './outbound-plans.repository.js';
import { OutboundPreviewService } from './preview/outbound-preview.service.js';
import { OutboundModule } from './outbound.module.js';

/**
 * The outbound push (ADR 0022): the `sync.outbound-contacts` processor and what it needs, GHL's
 * client above all. Loaded where that queue exists, i.e. OUTBOUND_MODE is not off (which needs
 * GHL's location and token); the queue's boot check wants its processor in every such role.
 */
@Module({
  imports: [GhlModule, ContactsModule, OutboundModule],
  providers: [
    ContactPlanner,
    ContactPushService,
    OutboundContactsProcessor,
    OutboundContactsRepository,
    OutboundLogRepository,
    OutboundPlansRepository,
    OutboundPreviewService,
  ],
  exports: [ContactPlanner, OutboundPlansRepository, OutboundPreviewService],
})
export class OutboundPushModule {}
