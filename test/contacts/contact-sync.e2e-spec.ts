import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ghlId, GhlStandIn } from '../support/ghl-stand-in.js';
import { syncDelivery } from '../support/inbox.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const CONTACT_FIELDS = `id ghlContactId ghlLocationId email phone firstName lastName tags
  customFields { fieldId value } ghlUpdatedAt createdAt updatedAt deletedAt`;

interface ContactView {
  id: string;
  ghlContactId: string | null;
  ghlLocationId: string | null;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  tags: string[];
  customFields: { fieldId: string; value: string | null }[];
  ghlUpdatedAt: string | null;
  deletedAt: string | null;
}

interface ContactRow {
  id: string;
  email: string | null;
  phone: string | null;
  phone_invalid_raw: string | null;
  email_conflict: string | null;
  email_conflict_contact_id: string | null;
  deleted_at: Date | null;
}

const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

describe('contact sync: GHL contact webhooks into contacts', () => {
  const ghl = new GhlStandIn();
  let database: TestDatabase;
  let service: TestApp;

  /** Delivers an event over HTTP and waits until the worker has processed it; returns the inbox outcome. */
  /** Delivers over HTTP and waits for the worker; the inbox outcome. */
  const sync = (event: Record<string, unknown>) => syncDelivery(ghl, service.url, database, event);

  async function contactByGhlId(ghlContactId: string): Promise<ContactView | null> {
    const response = await service.graphql(`query($id: String) { contact(ghlContactId: $id) { ${CONTACT_FIELDS} } }`, {
      variables: { id: ghlContactId },
    });
    const body = (await response.json()) as { data: { contact: ContactView | null }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data.contact;
  }

  const rowsWhere = (where: string, values: unknown[]) =>
    database.query<ContactRow>(`SELECT * FROM contacts WHERE ${where} ORDER BY created_at`, values);

  beforeAll(async () => {
    database = await createTestDatabase('contacts');
    service = await startTestApp(database.url, ghl.env());
  });

  afterAll(async () => {
    await service.close();
    await database.drop();
  });

  it('ContactCreate stores the mapped contact: E.164 phone, lower-cased email, normalized tags, custom fields', async () => {
    const event = ghl.contactEvent('ContactCreate', {
      email: '  Ana.Lopez@Example.COM ',
      phone: '(213) 373-4253',
      firstName: 'Ana',
      lastName: 'López',
      tags: [' VIP ', 'vip', 'Boot  Camp'],
      customFields: [
        { id: 'goal', value: 'Run a marathon' },
        { id: 'sessions', value: 12 },
      ],
    });
    expect(await sync(event)).toBe('APPLIED');

    const contact = await contactByGhlId(event.id as string);
    expect(contact).toMatchObject({
      ghlContactId: event.id,
      ghlLocationId: ghl.locationId,
      email: 'ana.lopez@example.com',
      phone: '+12133734253',
      firstName: 'Ana',
      lastName: 'López',
      tags: ['boot camp', 'vip'],
      customFields: [
        { fieldId: 'goal', value: 'Run a marathon' },
        { fieldId: 'sessions', value: '12' },
      ],
      ghlUpdatedAt: event.timestamp,
      deletedAt: null,
    });
  });

  it('keeps only mapped fields: no address, date of birth or other payload data outside the inbox', async () => {
    const event = ghl.contactEvent('ContactCreate', { address1: '221B Baker Street', dateOfBirth: '1980-01-01' });
    await sync(event);
    const tables = await database.query<{ text: string }>(
      `SELECT (SELECT json_agg(c)::text FROM contacts c) || (SELECT coalesce(json_agg(f)::text, '') FROM contact_custom_fields f) AS text`,
    );
    expect(tables[0]!.text).not.toContain('Baker Street');
    expect(tables[0]!.text).not.toContain('1980-01-01');
  });

  it('ContactTagUpdate replaces the whole tag set', async () => {
    const event = ghl.contactEvent('ContactCreate', { tags: ['a', 'b', 'c'] });
    await sync(event);
    expect(await sync(ghl.contactEvent('ContactTagUpdate', { id: event.id, tags: ['C', 'd'] }))).toBe('APPLIED');
    expect((await contactByGhlId(event.id as string))!.tags).toEqual(['c', 'd']);

    expect(await sync(ghl.contactEvent('ContactTagUpdate', { id: event.id, tags: undefined }))).toBe('APPLIED');
    expect((await contactByGhlId(event.id as string))!.tags).toEqual([]);
  });

  it('a partial update changes only the fields it carries', async () => {
    const event = ghl.contactEvent('ContactCreate', { firstName: 'Sam', tags: ['keep'] });
    await sync(event);
    const partial = { type: 'ContactUpdate', locationId: ghl.locationId, id: event.id, phone: '+44 20 7946 0018' };
    await sync({ ...partial, timestamp: new Date().toISOString(), webhookId: ghlId() });
    expect(await contactByGhlId(event.id as string)).toMatchObject({
      firstName: 'Sam',
      phone: '+442079460018',
      tags: ['keep'],
      email: (event.email as string).toLowerCase(),
    });
  });

  it('last write wins: an older update after a newer one changes nothing and is counted STALE', async () => {
    const created = ghl.contactEvent('ContactCreate', { firstName: 'First', timestamp: secondsAgo(60) });
    await sync(created);
    const newer = ghl.contactEvent('ContactUpdate', {
      id: created.id,
      firstName: 'Newer',
      tags: ['new'],
      timestamp: secondsAgo(10),
    });
    const older = ghl.contactEvent('ContactUpdate', {
      id: created.id,
      firstName: 'Older',
      tags: ['old'],
      timestamp: secondsAgo(30),
    });
    expect(await sync(newer)).toBe('APPLIED');
    expect(await sync(older)).toBe('STALE');
    expect(await contactByGhlId(created.id as string)).toMatchObject({
      firstName: 'Newer',
      tags: ['new'],
      ghlUpdatedAt: newer.timestamp,
    });
  });

  it('ContactDelete tombstones the contact: hidden from contacts unless includeDeleted, never revived', async () => {
    const created = ghl.contactEvent('ContactCreate', { timestamp: secondsAgo(30) });
    await sync(created);
    const deletion = ghl.contactEvent('ContactDelete', { id: created.id, timestamp: secondsAgo(20) });
    expect(await sync(deletion)).toBe('APPLIED');

    const deleted = await contactByGhlId(created.id as string);
    expect(deleted!.deletedAt).toBe(deletion.timestamp);
    const listed = async (includeDeleted: boolean) => {
      const response = await service.graphql(
        `query($f: ContactFilter) { contacts(filter: $f) { totalCount edges { node { ghlContactId deletedAt } } } }`,
        { variables: { f: { email: created.email, includeDeleted } } },
      );
      return (
        (await response.json()) as {
          data: { contacts: { totalCount: number; edges: { node: { ghlContactId: string } }[] } };
        }
      ).data.contacts;
    };
    expect(await listed(false)).toEqual({ totalCount: 0, edges: [] });
    expect((await listed(true)).edges.map((edge) => edge.node.ghlContactId)).toEqual([created.id]);

    const lateUpdate = ghl.contactEvent('ContactUpdate', {
      id: created.id,
      firstName: 'Zombie',
      timestamp: secondsAgo(5),
    });
    expect(await sync(lateUpdate)).toBe('STALE');
    expect(await contactByGhlId(created.id as string)).toMatchObject({
      deletedAt: deletion.timestamp,
      firstName: created.firstName,
    });
  });

  it('a delete that overtakes its create leaves a tombstone the create cannot undo', async () => {
    const id = ghlId();
    expect(await sync(ghl.contactEvent('ContactDelete', { id, timestamp: secondsAgo(5) }))).toBe('APPLIED');
    expect(await sync(ghl.contactEvent('ContactCreate', { id, timestamp: secondsAgo(10) }))).toBe('STALE');
    const rows = await rowsWhere('ghl_contact_id = $1', [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ email: null, phone: null });
    expect(rows[0]!.deleted_at).toBeInstanceOf(Date);
  });

  it('links a TrainU contact with the same email (any case) instead of creating a second one', async () => {
    const [trainu] = await database.query<{ id: string }>(
      "INSERT INTO contacts (email, first_name) VALUES ('coach.client@example.com', 'Local') RETURNING id",
    );
    const event = ghl.contactEvent('ContactCreate', { email: 'Coach.Client@Example.com', firstName: 'Remote' });
    await sync(event);
    const rows = await rowsWhere('email = $1', ['coach.client@example.com']);
    expect(rows.map((row) => row.id)).toEqual([trainu!.id]);
    expect(await contactByGhlId(event.id as string)).toMatchObject({ id: trainu!.id, firstName: 'Remote' });
  });

  it('links a TrainU contact without email by E.164 phone', async () => {
    const [trainu] = await database.query<{ id: string }>(
      "INSERT INTO contacts (phone) VALUES ('+14155550123') RETURNING id",
    );
    const event = ghl.contactEvent('ContactCreate', { email: 'phone.match@example.com', phone: '415-555-0123' });
    await sync(event);
    expect((await contactByGhlId(event.id as string))!.id).toBe(trainu!.id);
  });

  it('keeps a second GHL contact with an email already taken apart, records and logs the conflict', async () => {
    const first = ghl.contactEvent('ContactCreate', { email: 'shared@example.com' });
    const second = ghl.contactEvent('ContactCreate', { email: 'SHARED@example.com' });
    await sync(first);
    expect(await sync(second)).toBe('APPLIED');

    const [firstRow] = await rowsWhere('ghl_contact_id = $1', [first.id]);
    const [secondRow] = await rowsWhere('ghl_contact_id = $1', [second.id]);
    expect(firstRow).toMatchObject({ email: 'shared@example.com', email_conflict: null });
    expect(secondRow).toMatchObject({
      email: null,
      email_conflict: 'shared@example.com',
      email_conflict_contact_id: firstRow!.id,
    });
    expect(service.logs.lines).toContainEqual(
      expect.objectContaining({
        msg: expect.stringContaining('email conflict') as string,
        ghlContactId: second.id,
        heldByContactId: firstRow!.id,
      }),
    );
    expect(JSON.stringify(service.logs.lines)).not.toContain('shared@example.com');
  });

  it('gives the email of a deleted contact to the live one that now has it', async () => {
    const gone = ghl.contactEvent('ContactCreate', { email: 'recreated@example.com', timestamp: secondsAgo(30) });
    await sync(gone);
    await sync(ghl.contactEvent('ContactDelete', { id: gone.id, timestamp: secondsAgo(20) }));
    const recreated = ghl.contactEvent('ContactCreate', { email: 'recreated@example.com' });
    await sync(recreated);
    expect((await contactByGhlId(recreated.id as string))!.email).toBe('recreated@example.com');
    expect((await contactByGhlId(gone.id as string))!.email).toBeNull();
  });

  it('keeps a phone it cannot read raw and flagged, never dropped', async () => {
    const event = ghl.contactEvent('ContactCreate', { phone: 'ext. 12' });
    await sync(event);
    const [row] = await rowsWhere('ghl_contact_id = $1', [event.id]);
    expect(row).toMatchObject({ phone: null, phone_invalid_raw: 'ext. 12' });
  });

  it('applies two different changes to one contact delivered at once without a duplicate row', async () => {
    const id = ghlId();
    const events = [
      ghl.contactEvent('ContactCreate', { id, email: 'race@example.com', timestamp: secondsAgo(3) }),
      ghl.contactEvent('ContactUpdate', {
        id,
        email: 'race@example.com',
        firstName: 'Later',
        timestamp: secondsAgo(1),
      }),
    ];
    const outcomes = await Promise.all(events.map(sync));
    // [create, update] in either processing order: the newer update always applies; the create
    // applies only when it is processed first, else it is stale.
    expect([
      ['APPLIED', 'APPLIED'],
      ['STALE', 'APPLIED'],
    ]).toContainEqual(outcomes);
    expect(await rowsWhere('ghl_contact_id = $1', [id])).toHaveLength(1);
    expect((await contactByGhlId(id))!.firstName).toBe('Later');
  });
});
