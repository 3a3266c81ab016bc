import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GhlApiStandIn } from '../support/ghl-api-stand-in.js';
import { outboundWaits, startPushingService } from '../support/outbound.js';
import type { TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * SYNC_FIELD_RULES on the push: a `ghl_only` field is never sent (not on the create, not as an
 * update), and a `trainu_only` tag set is sent while GHL's tags stay out of TrainU, but for the
 * `ghl-*` tags GHL owns: TrainU's changes of those are not sent, GHL's are applied.
 */
describe('field rules on contacts pushed to GHL', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  let service: TestApp;
  const { pushed, quiet } = outboundWaits(
    () => database,
    () => ghl,
  );

  beforeAll(async () => {
    database = await createTestDatabase('field_rules_push');
    ghl = await GhlApiStandIn.start();
    service = await startPushingService(
      database,
      ghl,
      { SYNC_FIELD_RULES: 'lastName:ghl_only,tag.ghl-*:ghl_only,tags:trainu_only' },
      50,
    );
  });

  afterAll(async () => {
    await service?.close();
    await ghl?.stop();
    await database?.drop();
  });

  it('never sends a ghl_only field; sends trainu_only tags and keeps GHL’s out of TrainU', async () => {
    const [{ id }] = (await database.query<{ id: string }>(
      "INSERT INTO contacts (email, first_name, last_name) VALUES ('rules.push@example.com', 'Ann', 'Local') RETURNING id",
    )) as [{ id: string }];
    await database.query("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, 'trainu-plan')", [id]);
    const ghlId = await pushed(id);
    await quiet();
    const created = ghl.writes.find((write) => write.method === 'POST' && write.path.startsWith('/contacts'))!;
    expect(created.body).toMatchObject({ email: 'rules.push@example.com', firstName: 'Ann', tags: ['trainu-plan'] });
    expect(created.body).not.toHaveProperty('lastName');

    const writesBefore = ghl.writes.length;
    await database.query("UPDATE contacts SET last_name = 'Changed', first_name = 'Anna' WHERE id = $1", [id]);
    await pushed(id);
    await quiet();
    expect(ghl.writes.slice(writesBefore).map((write) => [write.method, write.body])).toEqual([
      ['PUT', { firstName: 'Anna' }],
    ]);
    expect(ghl.contacts.get(ghlId)).toMatchObject({ firstName: 'Anna' });
    expect(ghl.contacts.get(ghlId)!.lastName ?? null).toBeNull();

    ghl.editContact(ghlId, { tags: ['trainu-plan', 'coach-vip'], lastName: 'Coach' });
    await quiet();
    const [row] = await database.query<{ last_name: string }>('SELECT last_name FROM contacts WHERE id = $1', [id]);
    expect(row!.last_name).toBe('Coach');
    expect(await database.query('SELECT tag FROM contact_tags WHERE contact_id = $1', [id])).toEqual([
      { tag: 'trainu-plan' },
    ]);
  });

  it('sends a tag TrainU added by the rule of tags, not one a ghl_only pattern matches; GHL’s ghl-* tags come back', async () => {
    const [{ id }] = (await database.query<{ id: string }>(
      "INSERT INTO contacts (email, first_name) VALUES ('rules.tags@example.com', 'Ann') RETURNING id",
    )) as [{ id: string }];
    await database.query("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, 'trainu-plan')", [id]);
    const ghlId = await pushed(id);
    await quiet();

    const writesBefore = ghl.writes.length;
    await database.query("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, 'trainu-extra'), ($1, 'ghl-stage')", [
      id,
    ]);
    await pushed(id);
    await quiet();
    expect(
      ghl.writes.slice(writesBefore).map((write) => [write.method, write.path.endsWith('/tags'), write.body]),
    ).toEqual([['POST', true, { tags: ['trainu-extra'] }]]);
    expect([...ghl.contacts.get(ghlId)!.tags].sort()).toEqual(['trainu-extra', 'trainu-plan']);

    ghl.editContact(ghlId, { tags: ['trainu-extra', 'trainu-plan', 'ghl-coach', 'trainu-ghl'] });
    await quiet();
    const tags = await database.query<{ tag: string }>(
      'SELECT tag FROM contact_tags WHERE contact_id = $1 ORDER BY 1',
      [id],
    );
    // GHL's edit so soon after our tag write is merged (a near miss): ghl-stage stays home in TrainU.
    expect(tags.map((row) => row.tag)).toEqual(['ghl-coach', 'ghl-stage', 'trainu-extra', 'trainu-plan']);
  });
});
