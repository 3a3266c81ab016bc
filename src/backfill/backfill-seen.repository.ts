import { Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import { Prisma } from '../generated/prisma/client.js';

/** A synced table a full listing is reconciled against: its GHL id column, by object. */
const LISTED_TABLES = {
  contacts: { table: 'contacts', ghlIdColumn: 'ghl_contact_id' },
  opportunities: { table: 'opportunities', ghlIdColumn: 'ghl_opportunity_id' },
  appointments: { table: 'bookings', ghlIdColumn: 'ghl_appointment_id' },
} as const;

export type ListedObject = keyof typeof LISTED_TABLES;

/** The `backfill_seen` table: ids a full run has listed, until its reconciliation. */
@Injectable()
export class BackfillSeenRepository {
  constructor(private readonly prisma: PrismaService) {}

  async add(
    locationId: string,
    object: string,
    ghlIds: readonly string[],
    transaction: PrismaTransaction,
  ): Promise<void> {
    await transaction.backfillSeen.createMany({
      data: ghlIds.map((ghlId) => ({ locationId, object, ghlId })),
      skipDuplicates: true,
    });
  }

  async clear(locationId: string, object: string): Promise<void> {
    await this.prisma.backfillSeen.deleteMany({ where: { locationId, object } });
  }

  /**
   * GHL ids of the location's live records that a complete listing did not contain, leaving out any
   * created or changed since `listingStartedAt` (they may be newer than the listing). `within`
   * narrows it to what the listing covered, when it covered less than everything (a time range).
   */
  async missingFromListing(
    locationId: string,
    object: ListedObject,
    listingStartedAt: Date,
    within: Prisma.Sql = Prisma.sql`TRUE`,
  ): Promise<string[]> {
    const { table, ghlIdColumn } = LISTED_TABLES[object];
    const ghlId = Prisma.raw(`r.${ghlIdColumn}`);
    const rows = await this.prisma.$queryRaw<{ ghl_id: string }[]>`
      SELECT ${ghlId} AS ghl_id FROM ${Prisma.raw(table)} r
      WHERE r.ghl_location_id = ${locationId} AND ${ghlId} IS NOT NULL AND r.deleted_at IS NULL
        AND r.created_at < ${listingStartedAt} AND (r.ghl_updated_at IS NULL OR r.ghl_updated_at < ${listingStartedAt})
        AND ${within}
        AND NOT EXISTS (SELECT 1 FROM ghl_sync.backfill_seen s
                        WHERE s.location_id = ${locationId} AND s.object = ${object} AND s.ghl_id = ${ghlId})`;
    return rows.map((row) => row.ghl_id);
  }
}
