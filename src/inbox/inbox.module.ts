import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { InboundEventProcessor } from './inbound-event.processor.js';
import { InboundHandlerRegistry } from './inbound-handler.registry.js';
import { InboxRelay } from './inbox-relay.js';
import { InboxRelayNotifier } from './inbox-relay.notifier.js';
import { InboxRepository } from './inbox.repository.js';
import { InboxService } from './inbox.service.js';
import { IntakeDuplicatesRepository } from './intake-duplicates.repository.js';
import { InboxRetentionProcessor } from './inbox-retention.processor.js';

/**
 * The `sync_events` inbox: durable acceptance of inbound changes, their relay into the queue
 * (ADR 0017) and their dispatch to domain handlers.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    InboxRepository,
    IntakeDuplicatesRepository,
    InboxService,
    InboxRelayNotifier,
    InboxRelay,
    InboundHandlerRegistry,
    InboundEventProcessor,
    InboxRetentionProcessor,
  ],
  exports: [InboxService, InboxRepository, InboxRelay, InboundHandlerRegistry],
})
export class InboxModule {}
