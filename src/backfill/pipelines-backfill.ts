import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { PrismaService } from '../database/prisma.service.js';
import { GhlClient } from '../ghl/ghl-client.js';
import { PipelinesRepository } from '../opportunities/pipelines.repository.js';
import type { BackfillResult, ListingOptions } from './checkpointed-listing.js';
import { SyncCursorsRepository } from './sync-cursors.repository.js';

const OBJECT = 'pipelines';

interface GhlPipeline {
  id: string;
  name: string;
  stages?: { id: string; name: string; position?: number }[];
}

/**
 * Reads the location's pipelines (one unpaged GHL call) and fills in what webhooks cannot say:
 * pipeline and stage names, and stage positions. Opportunity webhooks record unknown stages with
 * NULL names; this run names them. Every run reads them all; `records` counts pipelines and stages.
 */
@Injectable()
export class PipelinesBackfill {
  private readonly logger = new Logger(PipelinesBackfill.name);
  private readonly locationId: string;

  constructor(
    config: AppConfig,
    private readonly ghl: GhlClient,
    private readonly prisma: PrismaService,
    private readonly cursors: SyncCursorsRepository,
    private readonly pipelines: PipelinesRepository,
  ) {
    this.locationId = config.ghl.locationId!;
  }

  async run({ onProgress }: Pick<ListingOptions, 'onProgress'> = {}): Promise<BackfillResult> {
    await this.cursors.start(this.locationId, OBJECT, {}, new Date());
    try {
      const { pipelines } = (await this.ghl.getPipelines()) as { pipelines: GhlPipeline[] };
      const stages = await this.prisma.$transaction(async (transaction) => {
        let count = 0;
        for (const pipeline of pipelines) {
          const ordered = (pipeline.stages ?? []).map((stage, index) => ({
            ...stage,
            position: stage.position ?? index,
          }));
          count += await this.pipelines.upsertFromGhl({ ...pipeline, stages: ordered }, this.locationId, transaction);
        }
        return count;
      });
      await this.cursors.complete(this.locationId, OBJECT);
      this.logger.log({ pipelines: pipelines.length, stages }, 'pipelines backfill complete');
      const records = pipelines.length + stages;
      onProgress?.({ object: OBJECT, pages: 1, records, total: records });
      return { object: OBJECT, pages: 1, records, tombstoned: 0, resumed: false, full: true };
    } catch (error) {
      await this.cursors.fail(this.locationId, OBJECT, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }
}
