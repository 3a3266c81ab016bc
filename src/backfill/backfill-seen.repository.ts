import { Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';

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
}
