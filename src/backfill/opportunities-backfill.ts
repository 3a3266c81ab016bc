import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { GhlOpportunityWebhookDto } from '../opportunities/dto/opportunity-webhook.dto.js';
import { mapGhlOpportunity } from '../opportunities/opportunity.mapper.js';
import { OpportunitiesService } from '../opportunities/opportunities.service.js';
import { GhlClient } from '../ghl/ghl-client.js';
import { BackfillSeenRepository } from './backfill-seen.repository.js';
import { type ListingCheckpoint, type ListingPage, type ListingSource, writeEach } from './checkpointed-listing.js';

/** GHL's largest opportunity search page. */
export const OPPORTUNITIES_PAGE_LIMIT = 100;

type OpportunitySearchPage = Awaited<ReturnType<GhlClient['searchOpportunities']>>;

/** One opportunity of GHL's REST search (`SearchOpportunitiesResponseSchema`). */
export type GhlOpportunity = NonNullable<OpportunitySearchPage['opportunities']>[number] & { id: string };

/** Where the next page starts: GHL's `meta`; it needs both (one alone starts over at page 1). */
interface OpportunityPosition {
  readonly startAfter: string;
  readonly startAfterId: string;
}

/**
 * Opportunities from GHL's search API (`GET /opportunities/search`: the first page, then the
 * `startAfter` and `startAfterId` of the page's `meta`), written through the webhooks' mapper and
 * last-write-wins service (ADR 0008), versioned by the record's own `updatedAt`. The search cannot
 * filter by update time, so an incremental run lists everything too (100 per request, so cheap);
 * records that did not change are older than, or as old as, the stored version and write nothing.
 */
@Injectable()
export class OpportunitiesBackfill implements ListingSource<GhlOpportunity> {
  readonly object = 'opportunities';
  private readonly locationId: string;
  pageLimit = OPPORTUNITIES_PAGE_LIMIT;

  constructor(
    config: AppConfig,
    private readonly ghl: GhlClient,
    private readonly opportunities: OpportunitiesService,
    private readonly seen: BackfillSeenRepository,
  ) {
    this.locationId = config.ghl.locationId!;
  }

  async fetchPage(checkpoint: ListingCheckpoint): Promise<ListingPage<GhlOpportunity>> {
    const position = checkpoint.position as OpportunityPosition | null;
    const page = await this.ghl.searchOpportunities({ limit: this.pageLimit, ...position });
    const opportunities = (page.opportunities ?? []) as GhlOpportunity[];
    const { total, startAfter, startAfterId } = page.meta ?? {};
    const last = opportunities.length < this.pageLimit || !startAfterId || (startAfter ?? null) === null;
    return { items: opportunities, next: last ? null : { startAfter: String(startAfter), startAfterId }, total };
  }

  async applyPage(opportunities: readonly GhlOpportunity[]): Promise<void> {
    await writeEach(opportunities, (opportunity) =>
      this.opportunities.applyGhlOpportunity(
        mapGhlOpportunity(asWebhookPayload(opportunity, this.locationId), eventKeyOf(opportunity.id)),
        'upsert',
      ),
    );
  }

  ghlIdOf(opportunity: GhlOpportunity): string {
    return String(opportunity.id);
  }

  async reconcile(listingStartedAt: Date): Promise<number> {
    const missing = await this.seen.missingFromListing(this.locationId, 'opportunities', listingStartedAt);
    await writeEach(missing, (id) =>
      this.opportunities.applyGhlOpportunity(
        mapGhlOpportunity(
          { id, locationId: this.locationId, timestamp: listingStartedAt.toISOString() },
          eventKeyOf(id),
        ),
        'delete',
      ),
    );
    return missing.length;
  }
}

/**
 * The REST opportunity as the webhook payload the mapper reads (the same flat fields): the record's
 * own `updatedAt`, else `createdAt`, stands in for the delivery `timestamp`.
 */
function asWebhookPayload(opportunity: GhlOpportunity, locationId: string): GhlOpportunityWebhookDto {
  return {
    id: opportunity.id,
    locationId: opportunity.locationId ?? locationId,
    contactId: opportunity.contactId,
    name: opportunity.name,
    status: opportunity.status,
    monetaryValue: opportunity.monetaryValue,
    pipelineId: opportunity.pipelineId,
    pipelineStageId: opportunity.pipelineStageId,
    timestamp: opportunity.updatedAt ?? opportunity.createdAt,
  };
}

/** The event key of a backfilled version, `<ISO time>|backfill:<id>` (ADR 0008). */
function eventKeyOf(ghlOpportunityId: string): string {
  return `backfill:${ghlOpportunityId}`;
}
