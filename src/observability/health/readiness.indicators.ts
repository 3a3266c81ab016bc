import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { withinDeadline } from '../../common/within-deadline.js';
import { PrismaService } from '../../database/prisma.service.js';
import { QueueService } from '../../queue/queue.service.js';

const CHECK_TIMEOUT_MS = 3_000;

/** The checks behind GET /health/ready; each names itself in the 503 body when it fails. */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly prisma: PrismaService,
    private readonly queueService: QueueService,
  ) {}

  async database(): Promise<HealthIndicatorResult<'database'>> {
    const indicator = this.health.check('database');
    try {
      await withinDeadline(this.prisma.$queryRaw`SELECT 1`, CHECK_TIMEOUT_MS, 'Postgres');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: errorMessage(error) });
    }
  }

  async queue(): Promise<HealthIndicatorResult<'queue'>> {
    const indicator = this.health.check('queue');
    try {
      const ready = await withinDeadline(this.queueService.isReady(), CHECK_TIMEOUT_MS, 'pg-boss');
      return ready ? indicator.up() : indicator.down({ message: 'pg-boss is not started or its schema is missing' });
    } catch (error) {
      return indicator.down({ message: errorMessage(error) });
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
