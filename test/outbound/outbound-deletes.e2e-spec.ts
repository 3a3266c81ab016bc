import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GhlApiStandIn, type RecordedWrite } from '../support/ghl-api-stand-in.js';
import { outboundWaits, startPushingService } from '../support/outbound.js';
import { eventually, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * OUTBOUND_DELETES (ADR 0024): what a TrainU delete does in GHL, per setting, and nothing else:
 * each test soft-deletes (and hard-deletes) contacts the service pushed, then counts GHL's writes.
 */
describe('outbound deletes: each OUTBOUND_DELETES setting does what it says in GHL, and nothing else', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  let service: TestApp | undefined;
  let sequence = 0;

  const { pushed, quiet } = outboundWaits(
    () => database,
    () => ghl,
  );
  /** A contact TrainU created and the service pushed, its echo processed. */
  const pushedContact = async () => {
    const [row] = await database.query<{ id: string }>(
      "INSERT INTO contacts (email, first_name) VALUES ($1, 'Dee') RETURNING id",
      [`deletes.${++sequence}.${Date.now()}@example.com`],
    );
    const ghlId = await pushed(row!.id);
    await database.query("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, 'client')", [row!.id]);
    await eventually(() => Promise.resolve(ghl.contacts.get(ghlId)?.tags.includes('client') ? true : undefined));
    await quiet();
    return { id: row!.id, ghlId };
  };
  const writesAfter = (count: number): Omit<RecordedWrite, 'at' | 'status'>[] =>
    ghl.writes.slice(count).map(({ method, path, body }) => ({ method, path, body }));
  const trainuRow = async (id: string) =>
    (
      await database.query<{ deleted: boolean; tags: string[] }>(
        `SELECT deleted_at IS NOT NULL AS deleted, ARRAY(SELECT tag FROM contact_tags t WHERE t.contact_id = c.id ORDER BY tag) AS tags
           FROM contacts c WHERE c.id = $1`,
        [id],
      )
    )[0];
  const plansOf = (id: string) =>
    database.query<{ action: string; reason: string | null; api_calls: number }>(
      'SELECT action, reason, api_calls FROM ghl_sync.outbound_plans WHERE contact_id = $1 ORDER BY id',
      [id],
    );
  const softDelete = async (id: string) => {
    await database.query('UPDATE contacts SET deleted_at = now() WHERE id = $1', [id]);
    await eventually(async () => {
      const [row] = await database.query<{ due: number }>(
        'SELECT count(*)::int AS due FROM ghl_sync.contact_outbox WHERE contact_id = $1 AND pushed_at IS NULL',
        [id],
      );
      return row!.due === 0 ? true : undefined;
    });
    await quiet();
  };
  const start = async (deletes: string) => {
    service = await startPushingService(database, ghl, { OUTBOUND_DELETES: deletes, LOG_LEVEL: 'warn' });
  };

  beforeAll(async () => {
    database = await createTestDatabase('outbound_deletes');
    ghl = await GhlApiStandIn.start();
  });

  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  afterAll(async () => {
    await ghl?.stop();
    await database?.drop();
  });

  it('ignore (the default): GHL keeps the contact as it was; the plan says why', async () => {
    await start('ignore');
    const { id, ghlId } = await pushedContact();
    const before = ghl.writes.length;
    const inGhl = structuredClone(ghl.contacts.get(ghlId));

    await softDelete(id);

    expect(writesAfter(before)).toEqual([]);
    expect(ghl.contacts.get(ghlId)).toEqual(inGhl);
    expect((await plansOf(id)).at(-1)).toEqual({
      action: 'NOOP',
      reason: "deleted in TrainU; OUTBOUND_DELETES=ignore leaves GHL's contact as it is",
      api_calls: 0,
    });
  });

  it('delete: one DELETE /contacts/{id}, once; GHL’s webhook back leaves TrainU’s row a tombstone', async () => {
    await start('delete');
    const soft = await pushedContact();
    const hard = await pushedContact();
    const before = ghl.writes.length;

    await softDelete(soft.id);
    await database.query('DELETE FROM contacts WHERE id = $1', [hard.id]);
    await eventually(() => Promise.resolve(ghl.contacts.has(hard.ghlId) ? undefined : true));
    await quiet();
    // Another TrainU edit of the deleted contact sends nothing more.
    await database.query("UPDATE contacts SET first_name = 'Gone' WHERE id = $1", [soft.id]);
    await softDelete(soft.id);

    expect(writesAfter(before)).toEqual([
      { method: 'DELETE', path: `/contacts/${soft.ghlId}`, body: {} },
      { method: 'DELETE', path: `/contacts/${hard.ghlId}`, body: {} },
    ]);
    expect(ghl.contacts.has(soft.ghlId)).toBe(false);
    expect(ghl.actions.delete).toBe(2);
    // GHL's ContactDelete came back: TrainU's row is still there, a tombstone; no row came back to life.
    expect(await trainuRow(soft.id)).toEqual({ deleted: true, tags: ['client'] });
    const [alive] = await database.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM contacts WHERE ghl_contact_id = ANY($1) AND deleted_at IS NULL',
      [[soft.ghlId, hard.ghlId]],
    );
    expect(alive!.count).toBe(0);
    expect((await plansOf(soft.id)).map((plan) => plan.action)).toEqual(['CREATE', 'UPDATE', 'DELETE', 'NOOP']);
  });

  it('tag:<name>: adds that tag in GHL and nothing else; the echo leaves TrainU’s tags alone', async () => {
    await start('tag:TrainU-Deleted');
    const { id, ghlId } = await pushedContact();
    const before = ghl.writes.length;
    const inGhl = structuredClone(ghl.contacts.get(ghlId)!);

    await softDelete(id);

    expect(writesAfter(before)).toEqual([
      { method: 'POST', path: `/contacts/${ghlId}/tags`, body: { tags: ['trainu-deleted'] } },
    ]);
    const after = ghl.contacts.get(ghlId)!;
    expect({ ...after, tags: [], dateUpdated: '' }).toEqual({ ...inGhl, tags: [], dateUpdated: '' });
    expect(after.tags.sort()).toEqual(['client', 'trainu-deleted']);
    expect(await trainuRow(id)).toEqual({ deleted: true, tags: ['client'] });
    expect((await plansOf(id)).at(-1)).toEqual({ action: 'UPDATE', reason: null, api_calls: 2 });
  });
});
