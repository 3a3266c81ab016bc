import { Injectable } from '@nestjs/common';
import type { SqlClient } from '../database/prisma.service.js';

/** A contact's synced values by the field names of SYNC_FIELD_RULES: scalars and the tag set. */
export interface SyncedValues {
  /** `email`, `phone`, `firstName`, `lastName`, `customField.<fieldId>`; absent means blank. */
  readonly fields: Readonly<Record<string, string | null>>;
  /** Normalised and sorted. */
  readonly tags: readonly string[];
}

/** Values that both sides now hold, for some fields of one contact. */
export interface AgreedPatch {
  readonly contactId: string;
  readonly values: Readonly<Record<string, string | null | readonly string[]>>;
  /**
   * The tags GHL's change could not touch (`trainu_only`): those already agreed stay agreed, as
   * `values.tags` holds only the ones applied.
   */
  readonly trainuOnlyTag?: (tag: string) => boolean;
}

/**
 * `ghl_sync.contact_sync_state`: per contact, what TrainU and GHL last agreed on (ADR 0022). The
 * inbound path patches the fields a change applied; the outbound push replaces it after a write.
 */
@Injectable()
export class ContactSyncStateRepository {
  /**
   * Merges each patch into its contact's agreed state (one statement for a batch). A batch may hold
   * several changes of one contact: they are folded first, later over earlier, because one
   * INSERT … ON CONFLICT may touch a row only once.
   */
  async patch(given: readonly AgreedPatch[], client: SqlClient): Promise<void> {
    const patches = await this.withAgreedTrainuOnlyTags(foldedByContact(given), client);
    if (patches.length === 0) return;
    await client.query(
      `INSERT INTO ghl_sync.contact_sync_state (contact_id, agreed)
       SELECT * FROM unnest($1::uuid[], $2::jsonb[])
       ON CONFLICT (contact_id) DO UPDATE
         SET agreed = ghl_sync.contact_sync_state.agreed || EXCLUDED.agreed, updated_at = now()`,
      [patches.map((entry) => entry.contactId), patches.map((entry) => JSON.stringify(entry.values))],
    );
  }

  /** Each patch's tags joined by the `trainu_only` tags its contact's agreed state holds now. */
  private async withAgreedTrainuOnlyTags(patches: AgreedPatch[], client: SqlClient): Promise<AgreedPatch[]> {
    const keeping = patches.filter((patch) => patch.trainuOnlyTag && appliedTagsOf(patch));
    if (keeping.length === 0) return patches;
    const { rows } = await client.query<{ contactId: string; tags: unknown }>(
      `SELECT contact_id AS "contactId", agreed->'tags' AS tags FROM ghl_sync.contact_sync_state
       WHERE contact_id = ANY($1::uuid[])`,
      [keeping.map((patch) => patch.contactId)],
    );
    const agreedTags = new Map(rows.map((row) => [row.contactId, tagsOf(row.tags)]));
    return patches.map((patch) => {
      const applied = appliedTagsOf(patch);
      const kept = patch.trainuOnlyTag && agreedTags.get(patch.contactId)?.filter(patch.trainuOnlyTag);
      if (!kept?.length || !applied) return patch;
      return { ...patch, values: { ...patch.values, tags: [...new Set([...applied, ...kept])].sort() } };
    });
  }

  /** The agreed state, or null when the two sides were never in step. */
  async load(contactId: string, client: SqlClient): Promise<SyncedValues | null> {
    const { rows } = await client.query<{ agreed: Record<string, unknown> }>(
      'SELECT agreed FROM ghl_sync.contact_sync_state WHERE contact_id = $1',
      [contactId],
    );
    if (!rows[0]) return null;
    const { tags, ...fields } = rows[0].agreed;
    return {
      fields: Object.fromEntries(
        Object.entries(fields).map(([field, value]) => [field, typeof value === 'string' ? value : null]),
      ),
      tags: tagsOf(tags),
    };
  }

  async replace(
    contactId: string,
    values: SyncedValues,
    ghlDateUpdated: Date | null,
    client: SqlClient,
  ): Promise<void> {
    await client.query(
      `INSERT INTO ghl_sync.contact_sync_state (contact_id, agreed, ghl_date_updated) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (contact_id) DO UPDATE
         SET agreed = EXCLUDED.agreed, ghl_date_updated = EXCLUDED.ghl_date_updated, updated_at = now()`,
      [contactId, JSON.stringify({ ...values.fields, tags: values.tags }), ghlDateUpdated],
    );
  }
}

/** One patch per contact, in first-seen order; a later patch's values override an earlier one's. */
export function foldedByContact(patches: readonly AgreedPatch[]): AgreedPatch[] {
  const folded = new Map<string, AgreedPatch>();
  for (const { contactId, values, trainuOnlyTag } of patches) {
    const earlier = folded.get(contactId);
    const tagRule = trainuOnlyTag ?? earlier?.trainuOnlyTag;
    folded.set(contactId, {
      contactId,
      values: { ...earlier?.values, ...values },
      ...(tagRule && { trainuOnlyTag: tagRule }),
    });
  }
  return [...folded.values()];
}

function appliedTagsOf({ values }: AgreedPatch): readonly string[] | undefined {
  return typeof values.tags === 'object' && values.tags !== null ? values.tags : undefined;
}

function tagsOf(json: unknown): string[] {
  return Array.isArray(json) ? json.filter((tag): tag is string => typeof tag === 'string') : [];
}
