import { Injectable } from '@nestjs/common';
import type { CountryCode } from 'libphonenumber-js';
import { AppConfig } from '../config/app-config.js';
import { mapGhlContact } from '../contacts/contact.mapper.js';
import { ContactsService } from '../contacts/contacts.service.js';
import type { GhlContactWebhookDto } from '../contacts/dto/contact-webhook.dto.js';
import type { Prisma } from '../generated/prisma/client.js';
import { GhlClient } from '../ghl/ghl-client.js';
import { BackfillSeenRepository } from './backfill-seen.repository.js';
import { type ListingCheckpoint, type ListingPage, type ListingSource } from './checkpointed-listing.js';

/** GHL's largest contact search page. */
export const CONTACTS_PAGE_LIMIT = 500;

type GhlContact = Record<string, unknown> & { id: string; searchAfter?: unknown[] };

/**
 * Contacts from GHL's search API (`POST /contacts/search`, sorted by `dateUpdated`; the first page,
 * then GHL's `searchAfter` of the last contact, which also works past the 10,000 records `page`
 * allows), written through the webhooks' mapper and last-write-wins service. Incremental runs
 * filter on `dateUpdated`.
 */
@Injectable()
export class ContactsBackfill implements ListingSource<GhlContact> {
  readonly object = 'contacts';
  private readonly locationId: string;
  private readonly region: CountryCode;
  pageLimit = CONTACTS_PAGE_LIMIT;

  constructor(
    config: AppConfig,
    private readonly ghl: GhlClient,
    private readonly contacts: ContactsService,
    private readonly seen: BackfillSeenRepository,
  ) {
    this.locationId = config.ghl.locationId!;
    this.region = config.sync.defaultPhoneRegion;
  }

  async fetchPage(checkpoint: ListingCheckpoint): Promise<ListingPage<GhlContact>> {
    const searchAfter = checkpoint.position as unknown[] | null;
    const page = await this.ghl.searchContacts({
      pageLimit: this.pageLimit,
      ...(searchAfter && { searchAfter }),
      ...(checkpoint.since && {
        filters: [{ field: 'dateUpdated', operator: 'range', value: { gte: checkpoint.since } }],
      }),
      sort: [{ field: 'dateUpdated', direction: 'asc' }],
    });
    const contacts = page.contacts as GhlContact[];
    const last = contacts.at(-1);
    return {
      items: contacts,
      next: contacts.length < this.pageLimit || !last?.searchAfter ? null : (last.searchAfter as Prisma.InputJsonValue),
      total: page.total,
    };
  }

  async applyPage(contacts: readonly GhlContact[]): Promise<void> {
    await this.contacts.applyGhlEvents(
      contacts.map((contact) => mapGhlContact(contact as unknown as GhlContactWebhookDto, this.region)),
    );
  }

  ghlIdOf(contact: GhlContact): string {
    return String(contact.id);
  }

  async reconcile(listingStartedAt: Date): Promise<number> {
    const missing = await this.seen.missingFromListing(this.locationId, 'contacts', listingStartedAt);
    await this.contacts.applyGhlEvents(
      missing.map((ghlContactId) => ({ ghlContactId, ghlLocationId: this.locationId, deletedAt: listingStartedAt })),
    );
    return missing.length;
  }
}
