import { Injectable, Logger } from '@nestjs/common';
import pMap from 'p-map';
import { AppConfig } from '../config/app-config.js';
import { PrismaService } from '../database/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';
import { BackfillSeenRepository } from './backfill-seen.repository.js';
import { SyncCursorsRepository } from './sync-cursors.repository.js';

/** Where a run is; saved in `sync_cursors.cursor` after every page. */
export interface ListingCheckpoint {
  /** A full run lists everything and then reconciles. */
  readonly full: boolean;
  /** An incremental run lists what changed since then (ISO), where the source can filter by it. */
  readonly since: string | null;
  /** Where the next page starts, in the source's own terms (JSON); null before the first page. */
  readonly position: Prisma.InputJsonValue | null;
  readonly pages: number;
  readonly records: number;
}

export interface ListingPage<Item> {
  readonly items: readonly Item[];
  /** Where the page after this one starts; null when this was the last. */
  readonly next: Prisma.InputJsonValue | null;
  /** How many records the whole listing has, when GHL says. */
  readonly total?: number;
}

/** One GHL object type's listing: how to fetch a page, write it, and reconcile after a full run. */
export interface ListingSource<Item> {
  readonly object: string;
  fetchPage(checkpoint: ListingCheckpoint): Promise<ListingPage<Item>>;
  /** Writes a page through the webhooks' mappers and last-write-wins paths. */
  applyPage(items: readonly Item[]): Promise<void>;
  ghlIdOf(item: Item): string;
  /**
   * After a complete full listing: tombstones live records of the location that it did not contain
   * (per `backfill_seen`) and that did not change after `listingStartedAt`. `last` is the run's
   * final checkpoint (what the listing covered). Returns how many.
   */
  reconcile(listingStartedAt: Date, last: ListingCheckpoint): Promise<number>;
}

export interface BackfillProgress {
  readonly object: string;
  readonly pages: number;
  readonly records: number;
  readonly total?: number;
}

export interface ListingOptions {
  readonly full?: boolean;
  /** Incremental runs start here instead of the previous run's start (less the overlap). */
  readonly since?: Date;
  readonly onProgress?: (progress: BackfillProgress) => void;
}

export interface BackfillResult {
  readonly object: string;
  readonly pages: number;
  readonly records: number;
  readonly tombstoned: number;
  readonly resumed: boolean;
  readonly full: boolean;
}

/**
 * How many records of a page are written at once by sources that write one record per transaction
 * (opportunities, appointments): their writes are latency-bound round trips, and the records of a
 * page are distinct, each locked by its own id.
 */
export const PAGE_WRITE_CONCURRENCY = 8;

/** Writes each record with PAGE_WRITE_CONCURRENCY at a time; the first failure fails the page. */
export async function writeEach<Item>(items: readonly Item[], write: (item: Item) => Promise<unknown>): Promise<void> {
  await pMap(items, write, { concurrency: PAGE_WRITE_CONCURRENCY });
}

/** An incremental run re-reads this much before the previous run started, for late index updates. */
export const INCREMENTAL_OVERLAP_MS = 10 * 60_000;

/**
 * Runs one source's listing page by page with a checkpoint per (location, object): the page's seen
 * ids and the checkpoint commit together after its records are written, so a killed or failed run
 * resumes at the next page. The next page is fetched while one is written, so after a crash at most
 * the page being written and the one prefetched are fetched again (their writes are idempotent).
 * Reconciliation runs only after a full listing completed.
 */
@Injectable()
export class CheckpointedListing {
  private readonly logger = new Logger(CheckpointedListing.name);
  private readonly locationId: string;

  constructor(
    config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly cursors: SyncCursorsRepository,
    private readonly seen: BackfillSeenRepository,
  ) {
    this.locationId = config.ghl.locationId!;
  }

  async run<Item>(source: ListingSource<Item>, options: ListingOptions = {}): Promise<BackfillResult> {
    const { object } = source;
    const started = await this.startOrResume(object, options);
    let { checkpoint } = started;
    options.onProgress?.({ object, pages: checkpoint.pages, records: checkpoint.records });
    try {
      let fetching = source.fetchPage(checkpoint);
      for (;;) {
        const page = await fetching;
        // The next page downloads while this one is written; after a crash only it is fetched again.
        if (page.next !== null) {
          fetching = source.fetchPage({ ...checkpoint, position: page.next });
          fetching.catch(() => undefined);
        }
        await source.applyPage(page.items);
        checkpoint = {
          ...checkpoint,
          position: page.next ?? checkpoint.position,
          pages: checkpoint.pages + 1,
          records: checkpoint.records + page.items.length,
        };
        const ids = page.items.map((item) => source.ghlIdOf(item));
        await this.prisma.$transaction(async (transaction) => {
          if (checkpoint.full) await this.seen.add(this.locationId, object, ids, transaction);
          await this.cursors.checkpoint(this.locationId, object, asJson(checkpoint), transaction);
        });
        options.onProgress?.({ object, pages: checkpoint.pages, records: checkpoint.records, total: page.total });
        if (page.next === null) break;
      }
    } catch (error) {
      await this.cursors.fail(this.locationId, object, error instanceof Error ? error.message : String(error));
      throw error;
    }

    let tombstoned = 0;
    if (checkpoint.full) {
      tombstoned = await source.reconcile(started.startedAt, checkpoint);
      await this.seen.clear(this.locationId, object);
    }
    await this.cursors.complete(this.locationId, object);
    const result = {
      object,
      pages: checkpoint.pages,
      records: checkpoint.records,
      tombstoned,
      resumed: started.resumed,
      full: checkpoint.full,
    };
    this.logger.log(result, 'backfill complete');
    return result;
  }

  /** The unfinished run's checkpoint, or a new run: full, or incremental from the previous start. */
  private async startOrResume(
    object: string,
    options: ListingOptions,
  ): Promise<{ checkpoint: ListingCheckpoint; startedAt: Date; resumed: boolean }> {
    const existing = await this.cursors.find(this.locationId, object);
    const unfinished = existing?.cursor as ListingCheckpoint | null | undefined;
    if (unfinished && existing?.runStartedAt) {
      this.logger.log(
        { object, pages: unfinished.pages, records: unfinished.records },
        'resuming the backfill at its checkpoint',
      );
      return { checkpoint: unfinished, startedAt: existing.runStartedAt, resumed: true };
    }
    const previousStart = existing?.lastCompletedAt ? existing.runStartedAt : null;
    const since =
      options.since ?? (previousStart ? new Date(previousStart.getTime() - INCREMENTAL_OVERLAP_MS) : undefined);
    const full = Boolean(options.full) || !since;
    const checkpoint: ListingCheckpoint = {
      full,
      since: full ? null : since.toISOString(),
      position: null,
      pages: 0,
      records: 0,
    };
    const startedAt = new Date();
    if (full) await this.seen.clear(this.locationId, object);
    await this.cursors.start(this.locationId, object, asJson(checkpoint), startedAt);
    return { checkpoint, startedAt, resumed: false };
  }
}

function asJson(checkpoint: ListingCheckpoint): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(checkpoint)) as Prisma.InputJsonValue;
}
