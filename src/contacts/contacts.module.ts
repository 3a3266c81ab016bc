import { Module } from '@nestjs/common';
import { ContactSyncStateRepository } from './contact-sync-state.repository.js';
import { ContactEventsHandler } from './contact-events.handler.js';
import { ContactsRepository } from './contacts.repository.js';
import { ContactsResolver } from './contacts.resolver.js';
import { ContactsService } from './contacts.service.js';
import { OutboundEchoesRepository } from './outbound-echoes.repository.js';
import { ContactStoryResolver } from './story/contact-story.resolver.js';
import { ContactStoryService } from './story/contact-story.service.js';

/**
 * Contacts: GHL contact webhooks in, the contacts read API (and a contact's story) out. The resolvers are inert where the
 * GraphQL module is not loaded (SERVICE_ROLE=worker).
 */
@Module({
  providers: [
    ContactsRepository,
    ContactsService,
    ContactEventsHandler,
    ContactsResolver,
    OutboundEchoesRepository,
    ContactSyncStateRepository,
    ContactStoryService,
    ContactStoryResolver,
  ],
  exports: [ContactsRepository, ContactsService, OutboundEchoesRepository, ContactSyncStateRepository],
})
export class ContactsModule {}
