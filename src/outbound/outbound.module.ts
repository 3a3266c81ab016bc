import { Module } from '@nestjs/common';
import { ContactOutboxRepository } from './contact-outbox.repository.js';
import { OutboundRetentionProcessor } from './outbound-retention.processor.js';
import { OutboxRelay } from './outbox-relay.js';

/**
 * The outbound contact sync's outbox (TrainU → GHL, ADR 0019): the contact outbox the triggers
 * fill and its relay into `sync.outbound-contacts`. Loaded in every role (metrics and syncStatus
 * count the outbox); the relay runs only where workers run and OUTBOUND_MODE is not off. The push
 * itself is OutboundPushModule's. The ledgers' hourly retention runs wherever workers do.
 */
@Module({
  providers: [ContactOutboxRepository, OutboxRelay, OutboundRetentionProcessor],
  exports: [ContactOutboxRepository, OutboxRelay],
})
export class OutboundModule {}
