import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { SqlClient } from '../database/prisma.service.js';
import type { HandlerOutcome, InboundEventHandler, StoredInboundEvent } from '../inbox/inbound-event.js';
import { HandlesInboundEvents } from '../inbox/inbound-handler.registry.js';
import { mapGhlContact, mapGhlContactDeletion } from './contact.mapper.js';
import { ContactsService, type ContactEvent } from './contacts.service.js';
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
    const [outcome] = await this.contacts.applyGhlEvents([this.contactEventOf(event)]);
    return outcome!;
  }

  /** One plan for the whole batch: a few statements for 16 events instead of a transaction each. */
  async handleBatch(events: readonly StoredInboundEvent[], client: SqlClient): Promise<HandlerOutcome[]> {
    return this.contacts.applyGhlEvents(
      events.map((event) => this.contactEventOf(event)),
      client,
    );
  }

  private contactEventOf(event: StoredInboundEvent): ContactEvent {
    const payload = event.payload as unknown as GhlContactWebhookDto;
    if (event.type === 'ContactDelete') return mapGhlContactDeletion(payload);
    // A tag update is about the tag set: no `tags` in it means the contact has none left.
    const withTags = event.type === 'ContactTagUpdate' ? { ...payload, tags: payload.tags ?? [] } : payload;
    return mapGhlContact(withTags, this.config.sync.defaultPhoneRegion);
  }
}
