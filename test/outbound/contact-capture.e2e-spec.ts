import type { TestingModule } from '@nestjs/testing';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointedListing } from '../../src/backfill/checkpointed-listing.js';
import { ContactsBackfill } from '../../src/backfill/contacts-backfill.js';
import { markSyncOrigin } from '../../src/database/sync-origin.js';
import { startBackfillRunner } from '../support/backfill-runner.js';
import { GhlApiStandIn } from '../support/ghl-api-stand-in.js';
import { GhlStandIn } from '../support/ghl-stand-in.js';
import { syncDelivery } from '../support/inbox.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface OutboxRow {
  contact_id: string;
  op: string;
  changed_fields: string[];
  ghl_contact_id: string | null;
  changed_at: Date;
}

const CONTACT = '00000000-0000-4000-8000-0000000000c1';

describe('capture of TrainU-side contact changes into the outbox (ADR 0019)', () => {
  const ghl = new GhlStandIn();
  let database: TestDatabase;
  let app: TestApp;

  const outbox = () =>
    database.query<OutboxRow>(
      'SELECT contact_id, op, changed_fields, ghl_contact_id, changed_at FROM ghl_sync.contact_outbox ORDER BY id',
    );
  /** What TrainU's app does: plain SQL in its own transaction, no origin marker. */
  const asTrainU = (sql: string, values?: unknown[]) => database.query(sql, values);

  beforeAll(async () => {
    database = await createTestDatabase('outbound_capture');
    app = await startTestApp(database.url, ghl.env());
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  beforeEach(async () => {
    await database.query('TRUNCATE contacts, contact_tags, contact_custom_fields CASCADE');
    await database.query('TRUNCATE ghl_sync.contact_outbox');
  });

  describe('the sync’s own writes are never recorded', () => {
    it('a webhook’s create, update, tag update and delete leave the outbox empty', async () => {
      const created = ghl.contactEvent('ContactCreate', { tags: ['vip'] });
      expect(await syncDelivery(ghl, app.url, database, created)).toBe('APPLIED');
      const id = created.id as string;
      const later = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
      for (const event of [
        ghl.contactEvent('ContactUpdate', { id, lastName: 'Renamed', dateUpdated: later(1) }),
        ghl.contactEvent('ContactTagUpdate', { id, tags: ['vip', 'boot camp'], dateUpdated: later(2) }),
        ghl.contactEvent('ContactDelete', { id, dateUpdated: later(3) }),
      ]) {
        expect(await syncDelivery(ghl, app.url, database, event)).toBe('APPLIED');
      }
      const [contact] = await database.query<{ deleted_at: Date | null; tags: string[] }>(
        'SELECT deleted_at, ARRAY(SELECT tag FROM contact_tags WHERE contact_id = c.id ORDER BY tag) AS tags FROM contacts c WHERE ghl_contact_id = $1',
        [id],
      );
      expect(contact).toEqual({ tags: ['boot camp', 'vip'], deleted_at: expect.any(Date) as Date });
      expect(await outbox()).toEqual([]);
    });

    it('a booking’s or opportunity’s placeholder contact leaves the outbox empty', async () => {
      expect(await syncDelivery(ghl, app.url, database, ghl.appointmentEvent('AppointmentCreate'))).toBe('APPLIED');
      expect(await syncDelivery(ghl, app.url, database, ghl.opportunityEvent('OpportunityCreate'))).toBe('APPLIED');
      expect(await database.query('SELECT id FROM contacts')).toHaveLength(2);
      expect(await outbox()).toEqual([]);
    });

    it('a backfill page (contacts with tags and custom fields) leaves the outbox empty', async () => {
      const rest = await GhlApiStandIn.start();
      let runner: TestingModule | undefined;
      try {
        rest.seedContacts(5);
        runner = await startBackfillRunner(database, rest);
        await runner.get(CheckpointedListing).run(runner.get(ContactsBackfill), { full: true });
        expect(await database.query('SELECT 1 FROM contact_custom_fields')).toHaveLength(5);
        expect(await outbox()).toEqual([]);
      } finally {
        await runner?.close();
        await rest.stop();
      }
    });
  });

  describe('TrainU’s writes are recorded, in their transaction', () => {
    beforeEach(async () => {
      await asTrainU(
        "INSERT INTO contacts (id, email, first_name, ghl_contact_id) VALUES ($1, 'ann@example.com', 'Ann', 'ghl-ann')",
        [CONTACT],
      );
    });

    it('an insert names the fields it set', async () => {
      expect(await outbox()).toEqual([
        expect.objectContaining({
          contact_id: CONTACT,
          op: 'insert',
          changed_fields: ['email', 'firstName'],
          ghl_contact_id: 'ghl-ann',
        }),
      ]);
    });

    it('an update names the mapped fields it changed; one that changes none records nothing', async () => {
      await asTrainU(
        "UPDATE contacts SET updated_at = now(), ghl_updated_at = now(), first_name = 'Ann' WHERE id = $1",
        [CONTACT],
      );
      await asTrainU("UPDATE contacts SET last_name = 'Lee', phone = '+14155550100' WHERE id = $1", [CONTACT]);
      const rows = await outbox();
      expect(rows.map(({ op, changed_fields }) => ({ op, changed_fields }))).toEqual([
        { op: 'insert', changed_fields: ['email', 'firstName'] },
        { op: 'update', changed_fields: ['phone', 'lastName'] },
      ]);
    });

    it('tags inserted and deleted are `tags`; custom fields inserted, updated and deleted are `customField.<id>`', async () => {
      await asTrainU("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, 'vip')", [CONTACT]);
      await asTrainU("DELETE FROM contact_tags WHERE contact_id = $1 AND tag = 'vip'", [CONTACT]);
      await asTrainU("INSERT INTO contact_custom_fields (contact_id, field_id, value) VALUES ($1, 'goal', '5k')", [
        CONTACT,
      ]);
      await asTrainU("UPDATE contact_custom_fields SET value = '10k' WHERE contact_id = $1", [CONTACT]);
      await asTrainU("UPDATE contact_custom_fields SET value = '10k' WHERE contact_id = $1", [CONTACT]);
      await asTrainU('DELETE FROM contact_custom_fields WHERE contact_id = $1', [CONTACT]);
      const rows = (await outbox()).slice(1);
      expect(rows.map(({ contact_id, op, changed_fields }) => ({ contact_id, op, changed_fields }))).toEqual([
        { contact_id: CONTACT, op: 'update', changed_fields: ['tags'] },
        { contact_id: CONTACT, op: 'update', changed_fields: ['tags'] },
        { contact_id: CONTACT, op: 'update', changed_fields: ['customField.goal'] },
        { contact_id: CONTACT, op: 'update', changed_fields: ['customField.goal'] },
        { contact_id: CONTACT, op: 'update', changed_fields: ['customField.goal'] },
      ]);
    });

    it('a soft delete is `deletedAt`; a hard delete is op delete with the GHL id, and its cascade adds nothing', async () => {
      await asTrainU("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, 'vip')", [CONTACT]);
      await asTrainU('UPDATE contacts SET deleted_at = now() WHERE id = $1', [CONTACT]);
      await asTrainU('DELETE FROM contacts WHERE id = $1', [CONTACT]);
      const rows = (await outbox()).slice(2);
      expect(rows.map(({ op, changed_fields, ghl_contact_id }) => ({ op, changed_fields, ghl_contact_id }))).toEqual([
        { op: 'update', changed_fields: ['deletedAt'], ghl_contact_id: 'ghl-ann' },
        { op: 'delete', changed_fields: [], ghl_contact_id: 'ghl-ann' },
      ]);
    });

    it('stamps each row with the time of its change (clock_timestamp), not of its transaction’s start', async () => {
      await asTrainU(
        `BEGIN; UPDATE contacts SET first_name = 'One' WHERE id = '${CONTACT}'; SELECT pg_sleep(0.05);
         UPDATE contacts SET first_name = 'Two' WHERE id = '${CONTACT}'; COMMIT;`,
      );
      const [, first, second] = await outbox();
      expect(second!.changed_at.getTime() - first!.changed_at.getTime()).toBeGreaterThanOrEqual(40);
    });

    it('rolls back with the change', async () => {
      await asTrainU(`BEGIN; UPDATE contacts SET first_name = 'Gone' WHERE id = '${CONTACT}'; ROLLBACK;`);
      expect(await outbox()).toHaveLength(1);
    });
  });

  it('the origin marker lasts one transaction: the next one on the same connection is recorded', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await markSyncOrigin(client, 'outbound');
      await client.query("INSERT INTO contacts (id, email) VALUES ($1, 'marked@example.com')", [CONTACT]);
      await client.query('COMMIT');
      expect(await outbox()).toEqual([]);

      await client.query("UPDATE contacts SET first_name = 'Unmarked' WHERE id = $1", [CONTACT]);
      expect((await outbox()).map(({ changed_fields }) => changed_fields)).toEqual([['firstName']]);
    } finally {
      await client.end();
    }
  });
});
