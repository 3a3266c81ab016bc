import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';

/** The `sync_dead_letters` table: work that exhausted its retries or can never succeed. */
@Injectable()
export class DeadLettersRepository {
  constructor(private readonly prisma: PrismaService) {}

  async countOpen(): Promise<number> {
    return this.prisma.syncDeadLetter.count({ where: { status: 'OPEN' } });
  }
}
