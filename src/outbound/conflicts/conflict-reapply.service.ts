import { Injectable, Logger } from '@nestjs/common';
import { normalizeTags } from '../../contacts/contact.mapper.js';
import { CUSTOM_FIELD_PREFIX } from '../../contacts/synced-values.js';
import { PrismaService, type SqlClient } from '../../database/prisma.service.js';
import { ReadPrismaService } from '../../database/read-prisma.service.js';
import type { SyncConflictRow } from './sync-conflicts.repository.js';

/** Why a reapply was refused: the resolver maps each to a GraphQL code. */
export class ConflictReapplyError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'CONTACT_GONE',
    message: string,
  ) {
    super(message);
    this.name = 'ConflictReapplyError';
  }
}

const SCALAR_COLUMNS: Readonly<Record<string, string>> = {
  email: 'email',
  phone: 'phone',
  firstName: 'first_name',
  lastName: 'last_name',
};

/**
 * Writes a conflict's losing value back through the normal path (ADR 0023): as a TrainU-side
 * change of the contact, which the outbox captures and the push sends to GHL, so both sides end on
 * it whichever side had lost. Records who and when on the conflict.
 */
@Injectable()
export class ConflictReapplyService {
  private readonly logger = new Logger(ConflictReapplyService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly reads: ReadPrismaService,
  ) {}

  async reapply(id: string, caller: string): Promise<SyncConflictRow> {
    await this.prisma.inPlainTransaction(async (client) => {
      const { rows } = await client.query<{
        contact_id: string | null;
        field: string;
        losing: string | null;
        deleted: boolean | null;
      }>(
        `SELECT k.contact_id, k.field, CASE k.winner WHEN 'GHL' THEN k.trainu_value ELSE k.ghl_value END AS losing,
                c.deleted_at IS NOT NULL AS deleted
           FROM ghl_sync.sync_conflicts k LEFT JOIN contacts c ON c.id = k.contact_id
          WHERE k.id = $1 FOR UPDATE OF k`,
        [id],
      );
      const conflict = rows[0];
      if (!conflict) throw new ConflictReapplyError('NOT_FOUND', `no sync conflict ${id}`);
      if (!conflict.contact_id || conflict.deleted) {
        throw new ConflictReapplyError(
          'CONTACT_GONE',
          `the contact of conflict ${id} is deleted: nothing to write back to`,
        );
      }
      await writeAsTrainU(client, conflict.contact_id, conflict.field, conflict.losing);
      await client.query('UPDATE ghl_sync.sync_conflicts SET reapplied_at = now(), reapplied_by = $2 WHERE id = $1', [
        id,
        caller,
      ]);
      this.logger.log(
        { conflictId: id, contactId: conflict.contact_id, field: conflict.field, caller },
        'conflict value reapplied',
      );
    });
    return (await this.reads.syncConflict.findUnique({ where: { id } }))!;
  }
}

/** A plain TrainU write (no origin marker): the outbox triggers record it, the push sends it. */
async function writeAsTrainU(client: SqlClient, contactId: string, field: string, value: string | null) {
  const column = SCALAR_COLUMNS[field];
  if (column) {
    await client.query(`UPDATE contacts SET ${column} = $2 WHERE id = $1`, [contactId, value]);
  } else if (field === 'tags') {
    const tags = normalizeTags(value ? value.split(',') : []);
    await client.query('DELETE FROM contact_tags WHERE contact_id = $1 AND NOT (tag = ANY($2::text[]))', [
      contactId,
      tags,
    ]);
    await client.query(
      'INSERT INTO contact_tags (contact_id, tag) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING',
      [contactId, tags],
    );
  } else if (field.startsWith(CUSTOM_FIELD_PREFIX)) {
    const fieldId = field.slice(CUSTOM_FIELD_PREFIX.length);
    if (value === null) {
      await client.query('DELETE FROM contact_custom_fields WHERE contact_id = $1 AND field_id = $2', [
        contactId,
        fieldId,
      ]);
    } else {
      await client.query(
        `INSERT INTO contact_custom_fields (contact_id, field_id, value) VALUES ($1, $2, $3)
         ON CONFLICT (contact_id, field_id) DO UPDATE SET value = EXCLUDED.value`,
        [contactId, fieldId, value],
      );
    }
  } else {
    throw new Error(`a conflict on field ${field} cannot be written back`);
  }
}
