import { Module } from '@nestjs/common';
import { DomainEventsRepository } from './domain-events.repository.js';
import { DomainEventsService } from './domain-events.service.js';

/** The `domain_events` outbox and its publication through pg-boss pub/sub. */
@Module({ providers: [DomainEventsRepository, DomainEventsService], exports: [DomainEventsService] })
export class DomainEventsModule {}
