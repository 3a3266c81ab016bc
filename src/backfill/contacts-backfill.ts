import { Injectable, Logger } from '@nestjs/common';
import type { CountryCode } from 'libphonenumber-js';
import { AppConfig } from '../config/app-config.js';
import { mapGhlContact } from '../contacts/contact.mapper.js';
import { ContactsRepository } from '../contacts/contacts.repository.js';
import { ContactsService } from '../contacts/contacts.service.js';
import type { GhlContactWebhookDto } from '../contacts/dto/contact-webhook.dto.js';
import { PrismaService } from '../database/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';
import { GhlClient } from '../ghl/ghl-client.js';
import { BackfillSeenRepository } from './backfill-seen.repository.js';
import { SyncCursorsRepository } from './sync-cursors.repository.js';

const OBJECT = 'contacts';
/** GHL's largest contact search page. */
export const CONTACTS_PAGE_LIMIT = 500;
/** An incremental run re-reads this much before the previous run started, for late index updates. */
export const INCREMENTAL_OVERLAP_MS = 10 * 60_000;

/** Where a run is; saved in `sync_cursors.cursor` after every page. */
interface ContactsCursor {
  readonly full: boolean;
  /** Incremental runs list contacts updated since then (ISO). */
  readonly since: string | null;
  /** GHL's `searchAfter` of the last contact written, or null before the first page. */
  readonly searchAfter: unknown[] | null;
  readonly pages: number;
  readonly records: number;
}

export interface BackfillResult {
  readonly pages: number;
  readonly records: number;
  readonly tombstoned: number;
  readonly resumed: boolean;
}

/**
 * Pulls contacts from GHL's search API into TrainU through the same mapper and last-write-wins
 * service as the webhooks. A checkpoint is saved after every page, so a killed run resumes at the
 * next page. A full run also reconciles: once the listing is complete (never after a partial one),
 * live contacts it did not contain are tombstoned.
 */
@Injectable()
export class ContactsBackfill {
  private readonly logger = new Logger(ContactsBackfill.name);
  private readonly locationId: string;
  private readonly region: CountryCode;

  constructor(
    config: AppConfig,
    private readonly ghl: GhlClient,
    private readonly prisma: PrismaService,
    private readonly cursors: SyncCursorsRepository,
    private readonly seen: BackfillSeenRepository,
    private readonly contacts: ContactsService,
    private readonly contactRows: ContactsRepository,
  ) {
    this.locationId = config.ghl.locationId!;
    this.region = config.sync.defaultPhoneRegion;
  }

  /** `full`: everything, then reconcile; otherwise what changed since the previous run (with overlap). */
  async run({
    full = false,
    pageLimit = CONTACTS_PAGE_LIMIT,
  }: { full?: boolean; pageLimit?: number } = {}): Promise<BackfillResult> {
    const existing = await this.cursors.find(this.locationId, OBJECT);
    const unfinished = existing?.cursor as ContactsCursor | null | undefined;
    let cursor: ContactsCursor;
    let startedAt: Date;
    if (unfinished && existing?.runStartedAt) {
      cursor = unfinished;
      startedAt = existing.runStartedAt;
      this.logger.log(
        { pages: cursor.pages, records: cursor.records },
        'resuming the contacts backfill at its checkpoint',
      );
    } else {
      const previousStart = existing?.lastCompletedAt ? existing.runStartedAt : null;
      const since =
        !full && previousStart ? new Date(previousStart.getTime() - INCREMENTAL_OVERLAP_MS).toISOString() : null;
      cursor = { full: full || !since, since, searchAfter: null, pages: 0, records: 0 };
      startedAt = new Date();
      if (cursor.full) await this.seen.clear(this.locationId, OBJECT);
      await this.cursors.start(this.locationId, OBJECT, asJson(cursor), startedAt);
    }

    try {
      for (;;) {
        const page = await this.ghl.searchContacts({
          pageLimit,
          ...(cursor.searchAfter && { searchAfter: cursor.searchAfter }),
          ...(cursor.since && { filters: [{ field: 'dateUpdated', operator: 'range', value: { gte: cursor.since } }] }),
          sort: [{ field: 'dateUpdated', direction: 'asc' }],
        });
        for (const contact of page.contacts) {
          const change = mapGhlContact(contact as unknown as GhlContactWebhookDto, this.region);
          await this.contacts.applyGhlChange(change);
        }
        const last = page.contacts.at(-1);
        cursor = {
          ...cursor,
          searchAfter: (last?.searchAfter as unknown[] | undefined) ?? cursor.searchAfter,
          pages: cursor.pages + 1,
          records: cursor.records + page.contacts.length,
        };
        const ids = page.contacts.map((contact) => String(contact.id));
        await this.prisma.$transaction(async (transaction) => {
          if (cursor.full) await this.seen.add(this.locationId, OBJECT, ids, transaction);
          await this.cursors.checkpoint(this.locationId, OBJECT, asJson(cursor), transaction);
        });
        if (page.contacts.length < pageLimit) break;
      }
    } catch (error) {
      await this.cursors.fail(this.locationId, OBJECT, error instanceof Error ? error.message : String(error));
      throw error;
    }

    const tombstoned = cursor.full ? await this.reconcile(startedAt) : 0;
    await this.cursors.complete(this.locationId, OBJECT);
    this.logger.log(
      { pages: cursor.pages, records: cursor.records, tombstoned, full: cursor.full },
      'contacts backfill complete',
    );
    return { pages: cursor.pages, records: cursor.records, tombstoned, resumed: Boolean(unfinished) };
  }

  /** Tombstones live contacts the complete listing did not contain (deleted in GHL without a webhook). */
  private async reconcile(listingStartedAt: Date): Promise<number> {
    const missing = await this.contactRows.findGhlIdsMissingFromListing(this.locationId, listingStartedAt);
    for (const ghlContactId of missing) {
      await this.contacts.applyGhlDeletion({
        ghlContactId,
        ghlLocationId: this.locationId,
        deletedAt: listingStartedAt,
      });
    }
    await this.seen.clear(this.locationId, OBJECT);
    return missing.length;
  }
}

function asJson(cursor: ContactsCursor): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(cursor)) as Prisma.InputJsonValue;
}
