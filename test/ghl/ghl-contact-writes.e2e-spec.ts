import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GhlApiStandIn, type StandInContact } from '../support/ghl-api-stand-in.js';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The shapes of GHL's contact answers, together: each test reads the fields its call returns. */
interface ContactAnswer {
  contact: StandInContact;
  tags?: string[];
  succeded?: boolean;
  new?: boolean;
  message?: unknown;
  meta?: Record<string, unknown>;
}

/** The stand-in's contact writes behave like GHL's, quirks included (reference/outbound-sync.md §1). */
describe('GHL REST stand-in: contact writes', () => {
  let ghl: GhlApiStandIn;

  const call = async (method: string, path: string, body?: unknown, standIn = ghl) => {
    const response = await fetch(`${standIn.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${standIn.token}`, version: '2021-07-28', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as ContactAnswer };
  };
  const create = (fields: Record<string, unknown>) =>
    call('POST', '/contacts/', { locationId: ghl.locationId, ...fields });

  beforeAll(async () => {
    ghl = await GhlApiStandIn.start({ locationId: 'loc-writes' });
  });

  afterEach(() => {
    ghl.allowDuplicates = false;
  });

  afterAll(() => ghl.stop());

  it('creates (201 {contact}) with an E.164 phone, tags and custom fields read back as {id, value}', async () => {
    const created = await create({
      email: 'Ann.Lee@Example.com',
      phone: '+1 213-373-4253',
      firstName: 'Ann',
      tags: ['lead'],
      customFields: [{ id: 'goal', field_value: '10k' }],
    });
    expect(created.status).toBe(201);
    expect(created.body.contact).toMatchObject({
      email: 'Ann.Lee@Example.com',
      phone: '+12133734253',
      firstName: 'Ann',
      tags: ['lead'],
      customFields: [{ id: 'goal', value: '10k' }],
    });
    expect(created.body.contact.dateUpdated).toMatch(ISO_MS);
    expect(ghl.contacts.get(created.body.contact.id)!.phone).toBe('+12133734253');
    expect((await call('GET', `/contacts/${created.body.contact.id}`)).body.contact.id).toBe(created.body.contact.id);
  });

  it('refuses a second contact with the same email or phone (400 with meta) unless the location allows duplicates', async () => {
    const first = (await create({ email: 'dup@example.com', phone: '+12135550101', firstName: 'Bo', lastName: 'Ray' }))
      .body.contact;
    const byEmail = await create({ email: 'DUP@example.com' });
    expect(byEmail.status).toBe(400);
    expect(byEmail.body).toEqual({
      statusCode: 400,
      message: 'This location does not allow duplicated contacts.',
      meta: { contactId: first.id, contactName: 'Bo Ray', matchingField: 'email' },
    });
    const byPhone = await create({ email: 'other@example.com', phone: '(213) 555-0101' });
    expect(byPhone.body.meta).toMatchObject({ contactId: first.id, matchingField: 'phone' });

    ghl.allowDuplicates = true;
    expect((await create({ email: 'dup@example.com' })).status).toBe(201);
  });

  it('PUT answers {succeded, contact}, changes only what it carries, and tags in it overwrite every tag', async () => {
    const contact = (await create({ email: 'put@example.com', firstName: 'Cy', tags: ['lead', 'vip'] })).body.contact;
    const renamed = await call('PUT', `/contacts/${contact.id}`, { lastName: 'Moe' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.succeded).toBe(true);
    expect(renamed.body.contact).toMatchObject({ firstName: 'Cy', lastName: 'Moe', tags: ['lead', 'vip'] });
    expect(renamed.body.contact.dateUpdated > contact.dateUpdated).toBe(true);

    const retagged = await call('PUT', `/contacts/${contact.id}`, { tags: ['new'] });
    expect(retagged.body.contact.tags).toEqual(['new']);

    // Live v2 PUTs take `fieldValue` as well as the documented `field_value`.
    const fields = await call('PUT', `/contacts/${contact.id}`, {
      customFields: [
        { id: 'a', fieldValue: 1 },
        { id: 'b', field_value: ['x', 'y'] },
      ],
    });
    expect(fields.body.contact.customFields).toEqual([
      { id: 'a', value: 1 },
      { id: 'b', value: ['x', 'y'] },
    ]);
  });

  it('refuses properties UpdateContactDto lacks, and fields a test rejects, with GHL’s 422', async () => {
    const contact = (await create({ email: 'strict@example.com' })).body.contact;
    const gender = await call('PUT', `/contacts/${contact.id}`, { gender: 'female', firstName: 'Di' });
    expect(gender.status).toBe(422);
    expect(gender.body).toEqual({
      statusCode: 422,
      message: ['property gender should not exist'],
      error: 'Unprocessable Entity',
    });
    expect((await call('PUT', `/contacts/${contact.id}`, { locationId: ghl.locationId })).body.message).toEqual([
      'property locationId should not exist',
    ]);
    expect(ghl.contacts.get(contact.id)!.firstName).toBeNull();

    const picky = await GhlApiStandIn.start({ locationId: 'loc-picky' });
    try {
      picky.rejectField('lastName');
      const refused = await call('POST', '/contacts/', { locationId: 'loc-picky', lastName: 'X' }, picky);
      expect(refused.body.message).toEqual(['property lastName should not exist']);
      expect(picky.contacts.size).toBe(0);
    } finally {
      await picky.stop();
    }
  });

  it('adds and removes tags without touching the others, each a write with a new dateUpdated', async () => {
    const contact = (await create({ email: 'tags@example.com', tags: ['lead'] })).body.contact;
    const added = await call('POST', `/contacts/${contact.id}/tags`, { tags: ['vip', 'lead'] });
    expect(added).toMatchObject({ status: 201, body: { tags: ['lead', 'vip'] } });
    const after = ghl.contacts.get(contact.id)!.dateUpdated;
    expect(after > contact.dateUpdated).toBe(true);
    const removed = await call('DELETE', `/contacts/${contact.id}/tags`, { tags: ['lead'] });
    expect(removed).toMatchObject({ status: 200, body: { tags: ['vip'] } });
    expect(ghl.contacts.get(contact.id)!.dateUpdated > after).toBe(true);
    expect((await call('POST', `/contacts/${contact.id}/tags`, {})).status).toBe(422);
  });

  it('upserts by email, then phone, dropping a phone that belongs to another contact (#37) and gender (#313)', async () => {
    const byEmail = (await create({ email: 'up1@example.com', phone: '+12135550111' })).body.contact;
    const byPhone = (await create({ email: 'up2@example.com', phone: '+12135550112' })).body.contact;
    const upserted = await call('POST', '/contacts/upsert', {
      locationId: ghl.locationId,
      email: 'up1@example.com',
      phone: '+12135550112',
      firstName: 'Ed',
      gender: 'male',
    });
    expect(upserted.status).toBe(200);
    expect(upserted.body).toMatchObject({
      new: false,
      contact: { id: byEmail.id, firstName: 'Ed', phone: '+12135550111' },
    });
    expect(upserted.body.contact).not.toHaveProperty('gender');
    expect(ghl.contacts.get(byPhone.id)!.firstName).toBeNull();
    const fresh = await call('POST', '/contacts/upsert', { locationId: ghl.locationId, email: 'up3@example.com' });
    expect(fresh.body.new).toBe(true);
  });

  it('finds duplicates by email or number (URL-encoded), deletes, then answers 404', async () => {
    const contact = (await create({ email: 'a+b@example.com', phone: '+12135550123' })).body.contact;
    const email = await call(
      'GET',
      `/contacts/search/duplicate?locationId=${ghl.locationId}&email=a%2Bb%40example.com`,
    );
    expect(email.body.contact.id).toBe(contact.id);
    const phone = await call('GET', `/contacts/search/duplicate?locationId=${ghl.locationId}&number=%2B12135550123`);
    expect(phone.body.contact.id).toBe(contact.id);
    const none = await call(
      'GET',
      `/contacts/search/duplicate?locationId=${ghl.locationId}&email=nobody%40example.com`,
    );
    expect(none.body).toEqual({ contact: null });

    expect(await call('DELETE', `/contacts/${contact.id}`)).toMatchObject({ status: 200, body: { succeded: true } });
    expect((await call('GET', `/contacts/${contact.id}`)).status).toBe(404);
    expect((await call('PUT', `/contacts/${contact.id}`, { firstName: 'X' })).status).toBe(404);
  });

  it('logs writes, counts actions, injects failures on writes only, and spends the rate limit on writes', async () => {
    const limited = await GhlApiStandIn.start({ locationId: 'loc-log', limits: { burst: 4, windowMs: 60_000 } });
    try {
      const post = (email: string) => call('POST', '/contacts/', { locationId: 'loc-log', email }, limited);
      limited.failNextWrites(503, { delayMs: 50 });
      expect((await post('one@example.com')).status).toBe(503);
      expect(limited.contacts.size).toBe(0);
      expect((await post('two@example.com')).status).toBe(201);
      expect((await call('GET', '/opportunities/pipelines', undefined, limited)).status).toBe(200);
      expect((await post('three@example.com')).status).toBe(201);
      const throttled = await post('four@example.com');
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(limited.writes.map((write) => [write.method, write.path, write.body.email, write.status])).toEqual([
        ['POST', '/contacts/', 'one@example.com', 503],
        ['POST', '/contacts/', 'two@example.com', 201],
        ['POST', '/contacts/', 'three@example.com', 201],
      ]);
      expect(limited.actions.create).toBe(2);
      expect(limited.throttled).toBe(1);
    } finally {
      await limited.stop();
    }
  });

  it('with answerCreatesLate, a failed create has still created the contact', async () => {
    const late = await GhlApiStandIn.start({ locationId: 'loc-late', answerCreatesLate: true });
    try {
      late.failNextWrites(503);
      const answer = await call('POST', '/contacts/', { locationId: 'loc-late', email: 'late@example.com' }, late);
      expect(answer.status).toBe(503);
      expect([...late.contacts.values()].map((contact) => contact.email)).toEqual(['late@example.com']);
    } finally {
      await late.stop();
    }
  });
});
