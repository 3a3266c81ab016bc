import { Injectable } from '@nestjs/common';
import { keysetAfter, type KeysetPosition } from '../../database/keyset.js';
import { ReadPrismaService } from '../../database/read-prisma.service.js';
import type { SyncConflict as SyncConflictRow } from '../../generated/prisma/client.js';
import type { PagedSource } from '../../graphql/pagination.js';

export type { SyncConflictRow };

export interface SyncConflictQuery {
  readonly contactId?: string;
}

/** `ghl_sync.sync_conflicts` for the read API, in recording order; both filters are indexed. */
@Injectable()
export class SyncConflictsRepository implements PagedSource<SyncConflictQuery, SyncConflictRow> {
  constructor(private readonly reads: ReadPrismaService) {}

  async findPage(query: SyncConflictQuery, limit: number, after?: KeysetPosition): Promise<SyncConflictRow[]> {
    return this.reads.syncConflict.findMany({
      where: { AND: [this.whereOf(query), after ? keysetAfter(after) : {}] },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
  }

  async count(query: SyncConflictQuery): Promise<number> {
    return this.reads.syncConflict.count({ where: this.whereOf(query) });
  }

  private whereOf(query: SyncConflictQuery) {
    return query.contactId !== undefined ? { contactId: query.contactId } : {};
  }
}
