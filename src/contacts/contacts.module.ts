import { Module } from '@nestjs/common';
import { ContactEventsHandler } from './contact-events.handler.js';
import { ContactsRepository } from './contacts.repository.js';
import { ContactsResolver } from './contacts.resolver.js';
import { ContactsService } from './contacts.service.js';

/**
 * Contacts: GHL contact webhooks in, the contacts read API out. The resolver is inert where the
 * GraphQL module is not loaded (SERVICE_ROLE=worker).
 */
@Module({
  providers: [ContactsRepository, ContactsService, ContactEventsHandler, ContactsResolver],
  exports: [ContactsRepository, ContactsService],
})
export class ContactsModule {}
