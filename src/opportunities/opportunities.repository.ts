import { Injectable } from '@nestjs/common';
import { keysetAfter, type KeysetPosition } from '../database/keyset.js';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import { ReadPrismaService } from '../database/read-prisma.service.js';
import type { Opportunity, OpportunityStatus, Prisma } from '../generated/prisma/client.js';

export type OpportunityRow = Opportunity;
export type OpportunityWrite = Prisma.OpportunityUncheckedCreateInput;

/** What the read API may filter opportunities by. */
export interface OpportunityQuery {
  readonly contactId?: string;
  readonly pipelineId?: string;
  readonly stageId?: string;
  readonly status?: OpportunityStatus;
  readonly includeDeleted?: boolean;
}

/** The `opportunities` table. */
@Injectable()
export class OpportunitiesRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly reads: ReadPrismaService,
  ) {}

  async findByGhlId(
    ghlOpportunityId: string,
    transaction: PrismaTransaction = this.prisma,
  ): Promise<OpportunityRow | null> {
    return transaction.opportunity.findUnique({ where: { ghlOpportunityId } });
  }

  async create(data: OpportunityWrite, transaction: PrismaTransaction): Promise<OpportunityRow> {
    return transaction.opportunity.create({ data });
  }

  async update(id: string, data: Partial<OpportunityWrite>, transaction: PrismaTransaction): Promise<OpportunityRow> {
    return transaction.opportunity.update({ where: { id }, data });
  }

  async findPage(query: OpportunityQuery, limit: number, after?: KeysetPosition): Promise<OpportunityRow[]> {
    return this.reads.opportunity.findMany({
      where: { AND: [this.whereOf(query), after ? keysetAfter(after) : {}] },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
  }

  async count(query: OpportunityQuery): Promise<number> {
    return this.reads.opportunity.count({ where: this.whereOf(query) });
  }

  /** Live opportunities of these contacts. */
  async findByContactIds(contactIds: readonly string[]): Promise<OpportunityRow[]> {
    return this.reads.opportunity.findMany({
      where: { contactId: { in: [...contactIds] }, deletedAt: null },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** Open, not deleted opportunities per stage. */
  async countOpenByStage(stageIds: readonly string[]): Promise<{ stageId: string; count: number }[]> {
    const groups = await this.reads.opportunity.groupBy({
      by: ['stageId'],
      where: { stageId: { in: [...stageIds] }, status: 'OPEN', deletedAt: null },
      _count: { _all: true },
    });
    return groups.map((group) => ({ stageId: group.stageId!, count: group._count._all }));
  }

  private whereOf(query: OpportunityQuery): Prisma.OpportunityWhereInput {
    return {
      ...(query.contactId !== undefined && { contactId: query.contactId }),
      ...(query.pipelineId !== undefined && { pipelineId: query.pipelineId }),
      ...(query.stageId !== undefined && { stageId: query.stageId }),
      ...(query.status !== undefined && { status: query.status }),
      ...(!query.includeDeleted && { deletedAt: null }),
    };
  }
}
