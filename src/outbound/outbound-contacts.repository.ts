import { Injectable } from '@nestjs/common';
import type { SqlClient } from '../database/prisma.service.js';
import type { CustomFieldValue } from '../contacts/contact.mapper.js';

/** A TrainU contact as the outbound push reads it. */
export interface OutboundContact {
  readonly id: string;
  readonly ghlContactId: string | null;
  readonly ghlLocationId: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly phoneInvalidRaw: string | null;
  readonly emailConflict: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly ghlUpdatedAt: Date | null;
  readonly deletedAt: Date | null;
  readonly updatedAt: Date;
  readonly tags: string[];
  readonly customFields: CustomFieldValue[];
}

/** What the push learnt from GHL and writes into TrainU's row (always as an origin-marked write). */
export interface PulledValues {
  readonly ghlContactId: string;
  readonly ghlLocationId: string;
  readonly ghlUpdatedAt: Date | null;
  readonly fields: Readonly<Record<string, string | null>>;
  readonly tagsToAdd: readonly string[];
  readonly tagsToRemove: readonly string[];
}

const COLUMN_OF_FIELD: Record<string, string> = {
  email: 'email',
  phone: 'phone',
  firstName: 'first_name',
  lastName: 'last_name',
};

/** TrainU's contacts, as the outbound push reads and writes them. */
@Injectable()
export class OutboundContactsRepository {
  async load(contactId: string, client: SqlClient): Promise<OutboundContact | null> {
    const { rows } = await client.query<OutboundContact>(
      `SELECT c.id, c.ghl_contact_id AS "ghlContactId", c.ghl_location_id AS "ghlLocationId", c.email, c.phone,
              c.phone_invalid_raw AS "phoneInvalidRaw", c.email_conflict AS "emailConflict",
              c.first_name AS "firstName", c.last_name AS "lastName", c.ghl_updated_at AS "ghlUpdatedAt",
              c.deleted_at AS "deletedAt", c.updated_at AS "updatedAt",
              ARRAY(SELECT t.tag FROM contact_tags t WHERE t.contact_id = c.id ORDER BY t.tag) AS tags,
              COALESCE((SELECT json_agg(json_build_object('fieldId', f.field_id, 'value', f.value) ORDER BY f.field_id)
                          FROM contact_custom_fields f WHERE f.contact_id = c.id), '[]') AS "customFields"
         FROM contacts c WHERE c.id = $1`,
      [contactId],
    );
    return rows[0] ?? null;
  }

  /** TrainU's email and phone as inbound stores them (lower case, E.164). */
  async normalize(
    contactId: string,
    values: { email: string | null; phone: string | null; phoneInvalidRaw: string | null },
    client: SqlClient,
  ): Promise<void> {
    await client.query('UPDATE contacts SET email = $2, phone = $3, phone_invalid_raw = $4 WHERE id = $1', [
      contactId,
      values.email,
      values.phone,
      values.phoneInvalidRaw,
    ]);
  }

  /**
   * The GHL id, GHL's values for the fields GHL won or changed alone, and its tag changes. Custom
   * fields are written per field; `ghl_updated_at` only moves forward.
   */
  async applyPulled(contactId: string, pulled: PulledValues, client: SqlClient): Promise<void> {
    const values: unknown[] = [contactId, pulled.ghlContactId, pulled.ghlLocationId, pulled.ghlUpdatedAt];
    const assignments = Object.entries(pulled.fields)
      .filter(([field]) => COLUMN_OF_FIELD[field])
      .map(([field, value]) => `${COLUMN_OF_FIELD[field]} = $${values.push(value)}`);
    await client.query(
      `UPDATE contacts SET ghl_contact_id = $2, ghl_location_id = COALESCE(ghl_location_id, $3),
              ghl_updated_at = GREATEST(ghl_updated_at, $4::timestamptz)${assignments.map((entry) => `, ${entry}`).join('')}
        WHERE id = $1`,
      values,
    );
    const customFields = Object.entries(pulled.fields)
      .filter(([field]) => field.startsWith('customField.'))
      .map(([field, value]) => ({ fieldId: field.slice('customField.'.length), value }));
    if (customFields.length > 0) {
      await client.query(
        `INSERT INTO contact_custom_fields (contact_id, field_id, value)
         SELECT $1, * FROM unnest($2::text[], $3::text[])
         ON CONFLICT (contact_id, field_id) DO UPDATE SET value = EXCLUDED.value`,
        [contactId, customFields.map((entry) => entry.fieldId), customFields.map((entry) => entry.value)],
      );
    }
    if (pulled.tagsToAdd.length > 0) {
      await client.query(
        'INSERT INTO contact_tags (contact_id, tag) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING',
        [contactId, pulled.tagsToAdd],
      );
    }
    if (pulled.tagsToRemove.length > 0) {
      await client.query('DELETE FROM contact_tags WHERE contact_id = $1 AND tag = ANY($2::text[])', [
        contactId,
        pulled.tagsToRemove,
      ]);
    }
  }
}
