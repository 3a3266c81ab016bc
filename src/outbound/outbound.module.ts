import { Module } from '@nestjs/common';
import { ContactOutboxRepository } from './contact-outbox.repository.js';
import { ContactPushService } from './contact-push.service.js';
import { OutboundContactsProcessor } from './outbound-contacts.processor.js';
import { OutboxRelay } from './outbox-relay.js';

/**
 * The outbound contact sync (TrainU → GHL, ADR 0019): the contact outbox the triggers fill, its
 * relay into `sync.outbound-contacts`, and that queue's processor. Loaded in every role (the queue's
 * boot check wants its processor wherever the queue exists); the relay runs only where workers run
 * and OUTBOUND_MODE is not off.
 */
@Module({
  providers: [ContactOutboxRepository, ContactPushService, OutboundContactsProcessor, OutboxRelay],
  exports: [ContactOutboxRepository, OutboxRelay],
})
export class OutboundModule {}
