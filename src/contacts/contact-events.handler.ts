import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { HandlerOutcome, InboundEventHandler, StoredInboundEvent } from '../inbox/inbound-event.js';
import { HandlesInboundEvents } from '../inbox/inbound-handler.registry.js';
import { mapGhlContact, mapGhlContactDeletion } from './contact.mapper.js';
import { ContactsService } from './contacts.service.js';
import { GhlContactWebhookDto } from './dto/contact-webhook.dto.js';

export const CONTACT_EVENT_TYPES = ['ContactCreate', 'ContactUpdate', 'ContactDelete', 'ContactTagUpdate'] as const;

/** GHL contact webhooks, from the inbox into `contacts`. */
@HandlesInboundEvents()
@Injectable()
export class ContactEventsHandler implements InboundEventHandler {
  readonly eventTypes = CONTACT_EVENT_TYPES;
  readonly payloadDto = GhlContactWebhookDto;

  constructor(
    private readonly contacts: ContactsService,
    private readonly config: AppConfig,
  ) {}

  async handle(event: StoredInboundEvent): Promise<HandlerOutcome> {
    const payload = event.payload as unknown as GhlContactWebhookDto;
    if (event.type === 'ContactDelete') return this.contacts.applyGhlDeletion(mapGhlContactDeletion(payload));
    // A tag update is about the tag set: no `tags` in it means the contact has none left.
    const withTags = event.type === 'ContactTagUpdate' ? { ...payload, tags: payload.tags ?? [] } : payload;
    return this.contacts.applyGhlChange(mapGhlContact(withTags, this.config.sync.defaultPhoneRegion));
  }
}
