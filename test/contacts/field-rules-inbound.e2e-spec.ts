import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ghlId, GhlStandIn } from '../support/ghl-stand-in.js';
import { syncDelivery } from '../support/inbox.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * SYNC_FIELD_RULES on the inbound path: a `trainu_only` field is never overwritten by GHL (it still
 * matches a GHL contact to TrainU's by email), `ghl_only` and unruled fields are applied as usual;
 * tags by their pattern: TrainU's `trainu-*` (and `coach-*`) tags stay as they are, the others follow GHL.
 * The backfill applies its pages through the same ContactsService, so the rule holds there too.
 */
describe('field rules on contacts coming from GHL', () => {
  const ghl = new GhlStandIn();
  let database: TestDatabase;
  let service: TestApp;
  const sync = (event: Record<string, unknown>) => syncDelivery(ghl, service.url, database, event);
  const stateOf = async (id: string) => {
    const [contact] = await database.query<{ email: string | null; first_name: string; last_name: string }>(
      'SELECT email, first_name, last_name FROM contacts WHERE id = $1',
      [id],
    );
    const tags = await database.query<{ tag: string }>(
      'SELECT tag FROM contact_tags WHERE contact_id = $1 ORDER BY 1',
      [id],
    );
    const fields = await database.query<{ field_id: string; value: string }>(
      'SELECT field_id, value FROM contact_custom_fields WHERE contact_id = $1 ORDER BY 1',
      [id],
    );
    return { ...contact, tags: tags.map((row) => row.tag), customFields: fields };
  };

  beforeAll(async () => {
    database = await createTestDatabase('field_rules_inbound');
    service = await startTestApp(database.url, {
      ...ghl.env(),
      SYNC_FIELD_RULES:
        'email:trainu_only,tag.trainu-*:trainu_only,tag.coach-*:trainu_only,tags:ghl_only,customField.goal:trainu_only,lastName:ghl_only',
    });
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  it('keeps TrainU’s email, tags and owned custom field; applies the other fields; matches by the email it keeps', async () => {
    const [{ id }] = (await database.query<{ id: string }>(
      "INSERT INTO contacts (email, first_name, last_name) VALUES ('owned@trainu.example', 'Ann', 'Lee') RETURNING id",
    )) as [{ id: string }];
    await database.query("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, 'trainu-plan')", [id]);
    await database.query(
      "INSERT INTO contact_custom_fields (contact_id, field_id, value) VALUES ($1, 'goal', 'run 5k'), ($1, 'weight', '70')",
      [id],
    );

    const ghlContactId = ghlId();
    // Unlinked: matched by the email TrainU owns, so the GHL contact links to TrainU's row.
    const created = ghl.contactEvent('ContactCreate', {
      id: ghlContactId,
      email: 'OWNED@trainu.example',
      firstName: 'Annie',
      lastName: 'Coach',
      tags: ['coach-vip'],
      customFields: [{ id: 'weight', value: '80' }],
    });
    expect(await sync(created)).toBe('APPLIED');
    expect(await database.query('SELECT id FROM contacts WHERE ghl_contact_id = $1', [ghlContactId])).toEqual([{ id }]);
    expect(await stateOf(id)).toEqual({
      email: 'owned@trainu.example',
      first_name: 'Annie',
      last_name: 'Coach',
      tags: ['trainu-plan'],
      customFields: [
        { field_id: 'goal', value: 'run 5k' },
        { field_id: 'weight', value: '80' },
      ],
    });

    const updated = ghl.contactEvent('ContactUpdate', {
      id: ghlContactId,
      email: 'changed.in@ghl.example',
      firstName: 'Anna',
      tags: [],
      customFields: [{ id: 'goal', value: 'lose 5 kg' }],
      dateUpdated: new Date(Date.now() + 1_000).toISOString(),
    });
    expect(await sync(updated)).toBe('APPLIED');
    expect(await stateOf(id)).toEqual({
      email: 'owned@trainu.example',
      first_name: 'Anna',
      last_name: updated.lastName,
      tags: ['trainu-plan'],
      customFields: [{ field_id: 'goal', value: 'run 5k' }],
    });
  });

  it('applies GHL’s tags but its trainu-* ones, and keeps TrainU’s trainu-* tags, agreed or not as they were', async () => {
    const [{ id }] = (await database.query<{ id: string }>(
      "INSERT INTO contacts (email, first_name) VALUES ('tags.owned@trainu.example', 'Ann') RETURNING id",
    )) as [{ id: string }];
    await database.query("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, 'TrainU-Plan'), ($1, 'lead')", [id]);
    const tagsOf = async () => (await stateOf(id)).tags;

    const ghlContactId = ghlId();
    const linked = ghl.contactEvent('ContactCreate', {
      id: ghlContactId,
      email: 'tags.owned@trainu.example',
      tags: ['lead', 'ghl-new', 'TRAINU-GHL'],
    });
    expect(await sync(linked)).toBe('APPLIED');
    expect(await tagsOf()).toEqual(['TrainU-Plan', 'ghl-new', 'lead']);

    // As a push would leave it: both sides agreed on trainu-plan.
    await database.query(
      `UPDATE ghl_sync.contact_sync_state SET agreed = jsonb_set(agreed, '{tags}', '["ghl-new", "lead", "trainu-plan"]')
       WHERE contact_id = $1`,
      [id],
    );
    const removed = ghl.contactEvent('ContactTagUpdate', {
      id: ghlContactId,
      tags: ['trainu-ghl'],
      dateUpdated: new Date(Date.now() + 1_000).toISOString(),
    });
    expect(await sync(removed)).toBe('APPLIED');
    expect(await tagsOf()).toEqual(['TrainU-Plan']);
    const [state] = await database.query<{ tags: string[] }>(
      "SELECT agreed->'tags' AS tags FROM ghl_sync.contact_sync_state WHERE contact_id = $1",
      [id],
    );
    // GHL's removal of trainu-plan stayed home, so the next push neither re-adds nor removes it.
    expect(state!.tags).toEqual(['trainu-plan']);
  });

  it('creates a contact GHL has and TrainU has not without its trainu_only values', async () => {
    const event = ghl.contactEvent('ContactCreate', { tags: ['coach-vip'] });
    expect(await sync(event)).toBe('APPLIED');
    const [row] = await database.query<{ id: string }>('SELECT id FROM contacts WHERE ghl_contact_id = $1', [event.id]);
    expect(await stateOf(row!.id)).toMatchObject({ email: null, tags: [], first_name: 'Jordan' });
  });
});
