import { Injectable, Logger } from '@nestjs/common';
import { ContactsService } from '../contacts/contacts.service.js';
import { lockKeys } from '../database/advisory-locks.js';
import { PrismaService, type PrismaTransaction } from '../database/prisma.service.js';
import type { HandlerOutcome } from '../inbox/inbound-event.js';
import type { GhlOpportunityChange } from './opportunity.mapper.js';
import { OpportunitiesRepository, type OpportunityRow, type OpportunityWrite } from './opportunities.repository.js';
import { PipelinesRepository } from './pipelines.repository.js';

export type OpportunityChangeKind = 'upsert' | 'delete';

/**
 * Applies GHL opportunity events so that the result does not depend on their order (ADR 0008): the
 * fields are those of the highest version seen; a deletion, once seen, stays, at its earliest time,
 * whatever arrives before or after it.
 */
@Injectable()
export class OpportunitiesService {
  private readonly logger = new Logger(OpportunitiesService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly opportunities: OpportunitiesRepository,
    private readonly pipelines: PipelinesRepository,
    private readonly contacts: ContactsService,
  ) {}

  async applyGhlOpportunity(change: GhlOpportunityChange, kind: OpportunityChangeKind): Promise<HandlerOutcome> {
    return this.prisma.$transaction(async (transaction) => {
      await lockKeys(transaction, [`opportunity:${change.ghlOpportunityId}`]);
      const existing = await this.opportunities.findByGhlId(change.ghlOpportunityId, transaction);
      const deletedAt =
        kind === 'delete' ? earliest(existing?.deletedAt, change.upstreamUpdatedAt) : existing?.deletedAt;
      const newer = !existing?.ghlVersion || change.version > existing.ghlVersion;

      if (!newer) {
        if (deletedAt?.getTime() === existing?.deletedAt?.getTime()) return this.stale(change);
        await this.opportunities.update(existing.id, { deletedAt }, transaction);
        return 'APPLIED';
      }
      const data: OpportunityWrite = {
        ...(await this.columnsOf(change, existing, transaction)),
        deletedAt: deletedAt ?? null,
      };
      if (existing) await this.opportunities.update(existing.id, data, transaction);
      else await this.opportunities.create(data, transaction);
      return 'APPLIED';
    });
  }

  /** The change's fields over the stored ones, with its pipeline, stage and contact resolved to rows. */
  private async columnsOf(
    change: GhlOpportunityChange,
    existing: OpportunityRow | null,
    transaction: PrismaTransaction,
  ): Promise<OpportunityWrite> {
    const pipelineId = change.ghlPipelineId
      ? await this.pipelines.ensurePipeline(change.ghlPipelineId, change.ghlLocationId, transaction)
      : existing?.pipelineId;
    const stageId =
      change.ghlStageId && pipelineId
        ? await this.pipelines.ensureStage(change.ghlStageId, pipelineId, transaction)
        : existing?.stageId;
    const contactId = change.ghlContactId
      ? (await this.contacts.findOrCreateByGhlId(change.ghlContactId, change.ghlLocationId, transaction)).id
      : existing?.contactId;
    return {
      ghlOpportunityId: change.ghlOpportunityId,
      ghlLocationId: change.ghlLocationId,
      ghlContactId: change.ghlContactId ?? existing?.ghlContactId ?? null,
      contactId: contactId ?? null,
      pipelineId: pipelineId ?? null,
      stageId: stageId ?? null,
      name: change.name === undefined ? (existing?.name ?? null) : change.name,
      status: change.status ?? existing?.status ?? 'OPEN',
      statusRaw: change.statusRaw ?? existing?.statusRaw ?? null,
      monetaryValue: change.monetaryValue === undefined ? (existing?.monetaryValue ?? null) : change.monetaryValue,
      ghlUpdatedAt: change.upstreamUpdatedAt,
      ghlVersion: change.version,
    };
  }

  private stale(change: GhlOpportunityChange): HandlerOutcome {
    this.logger.log(
      { ghlOpportunityId: change.ghlOpportunityId, version: change.version },
      'opportunity change is older than the one stored; nothing changed',
    );
    return 'STALE';
  }
}

function earliest(stored: Date | null | undefined, incoming: Date): Date {
  return stored && stored < incoming ? stored : incoming;
}
