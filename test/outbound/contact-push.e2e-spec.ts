import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GhlApiStandIn, type StandInContact } from '../support/ghl-api-stand-in.js';
import { outboundWaits, startPushingService } from '../support/outbound.js';
import { eventually, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface ContactRow {
  id: string;
  ghl_contact_id: string | null;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
}

/**
 * TrainU → GHL as TrainU's apps cause it: plain SQL in their own transactions, the service pushing
 * to the GHL stand-in, and the stand-in's signed webhooks coming back to the service (ADR 0022).
 */
describe('outbound contacts: TrainU writes reach GHL once, and their echoes change nothing', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  let service: TestApp;
  let sequence = 0;

  const uniqueEmail = (label: string) => `${label}.${++sequence}.${Date.now()}@example.com`;
  const contactRow = async (id: string) =>
    (
      await database.query<ContactRow>(
        'SELECT id, ghl_contact_id, email, phone, first_name, last_name FROM contacts WHERE id = $1',
        [id],
      )
    )[0]!;
  const insertContact = async (values: { email?: string; phone?: string; firstName?: string; lastName?: string }) => {
    const [row] = await database.query<{ id: string }>(
      'INSERT INTO contacts (email, phone, first_name, last_name) VALUES ($1, $2, $3, $4) RETURNING id',
      [values.email ?? null, values.phone ?? null, values.firstName ?? null, values.lastName ?? null],
    );
    return row!.id;
  };
  const { pushed, quiet } = outboundWaits(
    () => database,
    () => ghl,
  );
  const writesTo = (ghlContactId: string) => ghl.writes.filter((write) => write.path.includes(ghlContactId));
  const ghlContact = (id: string) => ghl.contacts.get(id)!;
  const metric = async (name: string) => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : 0;
  };
  /** A dead letter's playbook as operators read it (GraphQL). */
  const playbookOf = async (id: string) => {
    const response = await service.graphql(
      '{ deadLetters(status: OPEN, first: 100) { edges { node { id playbook } } } }',
    );
    const body = (await response.json()) as {
      data: { deadLetters: { edges: { node: { id: string; playbook: string } }[] } };
    };
    return body.data.deadLetters.edges.find((edge) => edge.node.id === id)?.node.playbook;
  };
  /** A contact created in TrainU and pushed, its echo processed: a linked pair in step. */
  const syncedContact = async (firstName = 'Ann') => {
    const id = await insertContact({ email: uniqueEmail('synced'), firstName, lastName: 'Lee' });
    const ghlId = await pushed(id);
    await quiet();
    return { id, ghlId };
  };

  beforeAll(async () => {
    database = await createTestDatabase('outbound_push');
    ghl = await GhlApiStandIn.start();
    service = await startPushingService(database, ghl, {
      OUTBOUND_LOOP_LIMIT: '6',
      SYNC_RETRY_DELAYS: '1s,1s,1s,1s,1s',
    });
  });

  afterAll(async () => {
    await service?.close();
    await ghl?.stop();
    await database?.drop();
  });

  it('creates a contact TrainU inserted exactly once, links it, and stores email and phone as inbound does', async () => {
    const email = uniqueEmail('ann.create');
    const id = await insertContact({ email: ` ${email.toUpperCase()}`, phone: '(415) 555-0101', firstName: 'Ann' });

    const ghlId = await pushed(id);
    await quiet();

    const inGhl = [...ghl.contacts.values()].filter((contact) => contact.email === email);
    expect(inGhl.map((contact) => contact.id)).toEqual([ghlId]);
    expect(inGhl[0]).toMatchObject({ phone: '+14155550101', firstName: 'Ann' });
    expect(writesTo(ghlId)).toEqual([]); // the create's path names no id; nothing was written after it
    expect(await contactRow(id)).toMatchObject({ ghl_contact_id: ghlId, email, phone: '+14155550101' });
  });

  it('links a contact whose email (in any case) or phone an unlinked GHL contact has, instead of creating one', async () => {
    const [byEmail, byPhone] = ghl.seedContacts(2) as [StandInContact, StandInContact];
    const creates = ghl.actions.create;

    const emailId = await insertContact({ email: byEmail.email!.toUpperCase(), firstName: byEmail.firstName! });
    const phoneId = await insertContact({
      phone: byPhone.phone!.replace('+1', '1 ').replace(/(\d{3})(\d{4})$/, '$1-$2'),
    });

    expect(await pushed(emailId)).toBe(byEmail.id);
    expect(await pushed(phoneId)).toBe(byPhone.id);
    await quiet();
    expect(ghl.actions.create).toBe(creates);
    // What GHL had and TrainU did not came to TrainU; what TrainU had and GHL did not went to GHL.
    expect(await contactRow(phoneId)).toMatchObject({ email: byPhone.email, last_name: byPhone.lastName });
  });

  it('sends one PUT with only the changed field; the echo changes nothing and causes no further write', async () => {
    const { id, ghlId } = await syncedContact();
    const echoesBefore = await metric('sync_echo_suppressed_total');
    const outboxRows = async () =>
      (await database.query('SELECT id FROM ghl_sync.contact_outbox WHERE contact_id = $1', [id])).length;
    const rowsBefore = await outboxRows();

    await database.query("UPDATE contacts SET first_name = 'Annabel' WHERE id = $1", [id]);
    await eventually(() => Promise.resolve(ghlContact(ghlId).firstName === 'Annabel' ? true : undefined));
    await quiet();

    expect(writesTo(ghlId).map((write) => [write.method, write.body])).toEqual([['PUT', { firstName: 'Annabel' }]]);
    expect(await metric('sync_echo_suppressed_total')).toBeGreaterThan(echoesBefore);
    expect(await contactRow(id)).toMatchObject({ first_name: 'Annabel' });
    // The echo was applied as the sync's own write: the outbox holds only the edit's row, nothing to push back.
    expect(await outboxRows()).toBe(rowsBefore + 1);
  });

  it('three edits 300 ms apart, echoes 2 s late: both sides end on the third value', async () => {
    const { id, ghlId } = await syncedContact();
    ghl.sendWebhooksTo({ url: `${service.url}/webhooks/ghl`, delayMs: 2_000 });
    try {
      for (const name of ['First', 'Second', 'Third']) {
        await database.query('UPDATE contacts SET first_name = $2 WHERE id = $1', [id, name]);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      await pushed(id);
      await quiet();
      await pushed(id);
      await quiet();
    } finally {
      ghl.sendWebhooksTo({ url: `${service.url}/webhooks/ghl`, delayMs: 100 });
    }
    expect(ghlContact(ghlId).firstName).toBe('Third');
    expect((await contactRow(id)).first_name).toBe('Third');
  });

  it('applies a change made in GHL by its webhook, and writes nothing back', async () => {
    const { id, ghlId } = await syncedContact();
    const writes = ghl.writes.length;

    ghl.editContact(ghlId, { lastName: 'Lee-Coach' });
    await eventually(async () => ((await contactRow(id)).last_name === 'Lee-Coach' ? true : undefined));
    await quiet();

    expect(ghl.writes.length).toBe(writes);
    const [outbox] = await database.query<{ rows: number }>(
      'SELECT count(*)::int AS rows FROM ghl_sync.contact_outbox WHERE contact_id = $1 AND pushed_at IS NULL',
      [id],
    );
    expect(outbox!.rows).toBe(0);
  });

  it('adds a tag TrainU inserts and removes one it deletes, through the tag endpoints; a GHL-only tag survives', async () => {
    const { id, ghlId } = await syncedContact();
    ghl.editContact(ghlId, { tags: ['coach-only'] });
    await eventually(async () => {
      const tags = await database.query('SELECT tag FROM contact_tags WHERE contact_id = $1', [id]);
      return tags.length === 1 ? true : undefined;
    });
    await quiet();

    await database.query("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, 'trainu-member')", [id]);
    await eventually(() => Promise.resolve(ghlContact(ghlId).tags.includes('trainu-member') ? true : undefined));
    await quiet();
    await database.query("DELETE FROM contact_tags WHERE contact_id = $1 AND tag = 'trainu-member'", [id]);
    await eventually(() => Promise.resolve(ghlContact(ghlId).tags.includes('trainu-member') ? undefined : true));
    await quiet();

    expect(writesTo(ghlId).map((write) => [write.method, write.path.endsWith('/tags'), write.body])).toEqual([
      ['POST', true, { tags: ['trainu-member'] }],
      ['DELETE', true, { tags: ['trainu-member'] }],
    ]);
    expect(ghlContact(ghlId).tags).toEqual(['coach-only']);
    const tags = await database.query<{ tag: string }>('SELECT tag FROM contact_tags WHERE contact_id = $1', [id]);
    expect(tags.map((row) => row.tag)).toEqual(['coach-only']);
  });

  it('a field changed on both sides goes to the later write on both sides, and the conflict keeps both values', async () => {
    const trainuLater = await syncedContact();
    const ghlLater = await syncedContact();
    // The coach's webhooks arrive after the push has run: the push finds the change in GHL.
    ghl.sendWebhooksTo({ url: `${service.url}/webhooks/ghl`, delayMs: 3_000 });
    try {
      ghl.editContact(trainuLater.ghlId, { firstName: 'Coach' });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await database.query("UPDATE contacts SET first_name = 'Trainu' WHERE id = $1", [trainuLater.id]);

      await database.query("UPDATE contacts SET first_name = 'Trainu' WHERE id = $1", [ghlLater.id]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      ghl.editContact(ghlLater.ghlId, { firstName: 'Coach' });

      await pushed(trainuLater.id);
      await pushed(ghlLater.id);
      await quiet();
    } finally {
      ghl.sendWebhooksTo({ url: `${service.url}/webhooks/ghl`, delayMs: 100 });
    }
    expect(ghlContact(trainuLater.ghlId).firstName).toBe('Trainu');
    expect((await contactRow(trainuLater.id)).first_name).toBe('Trainu');
    expect(ghlContact(ghlLater.ghlId).firstName).toBe('Coach');
    expect((await contactRow(ghlLater.id)).first_name).toBe('Coach');
    const conflicts = await database.query<Record<string, unknown>>(
      `SELECT contact_id, field, trainu_value, ghl_value, rule, winner FROM ghl_sync.sync_conflicts
        WHERE contact_id = ANY($1::uuid[]) ORDER BY winner DESC`,
      [[trainuLater.id, ghlLater.id]],
    );
    expect(conflicts).toEqual([
      {
        contact_id: trainuLater.id,
        field: 'firstName',
        trainu_value: 'Trainu',
        ghl_value: 'Coach',
        rule: 'two_way',
        winner: 'TRAINU',
      },
      {
        contact_id: ghlLater.id,
        field: 'firstName',
        trainu_value: 'Trainu',
        ghl_value: 'Coach',
        rule: 'two_way',
        winner: 'GHL',
      },
    ]);

    // The conflict log's read API: one contact's conflicts, both values and times, the rule, the winner.
    const response = await service.graphql(
      `query($contactId: ID) { syncConflicts(contactId: $contactId, first: 10) {
         totalCount pageInfo { hasNextPage }
         edges { node { field trainuValue ghlValue trainuChangedAt ghlChangedAt rule winner contact { id firstName } } } } }`,
      { variables: { contactId: ghlLater.id } },
    );
    const body = (await response.json()) as {
      data: { syncConflicts: { totalCount: number; edges: { node: Record<string, unknown> }[] } };
    };
    expect(body.data.syncConflicts).toMatchObject({ totalCount: 1, pageInfo: { hasNextPage: false } });
    expect(body.data.syncConflicts.edges.map((edge) => edge.node)).toEqual([
      {
        field: 'firstName',
        trainuValue: 'Trainu',
        ghlValue: 'Coach',
        trainuChangedAt: expect.stringMatching(/^2\d{3}-/) as string,
        ghlChangedAt: expect.stringMatching(/^2\d{3}-/) as string,
        rule: 'two_way',
        winner: 'GHL',
        contact: { id: ghlLater.id, firstName: 'Coach' },
      },
    ]);
    const firstPage = (await (
      await service.graphql('{ syncConflicts(first: 1) { edges { cursor } pageInfo { hasNextPage endCursor } } }')
    ).json()) as { data: { syncConflicts: { pageInfo: { hasNextPage: boolean; endCursor: string } } } };
    expect(firstPage.data.syncConflicts.pageInfo.hasNextPage).toBe(true);
    const next = (await (
      await service.graphql(
        'query($after: String) { syncConflicts(first: 1, after: $after) { edges { node { id } } } }',
        {
          variables: { after: firstPage.data.syncConflicts.pageInfo.endCursor },
        },
      )
    ).json()) as { data: { syncConflicts: { edges: unknown[] } } };
    expect(next.data.syncConflicts.edges).toHaveLength(1);
    const refused = (await (
      await service.graphql('{ syncConflicts(contactId: "not-a-uuid") { totalCount } }')
    ).json()) as { data: unknown; errors: { extensions: { code: string } }[] };
    expect(refused.data).toBeNull();
    expect(refused.errors[0]!.extensions.code).toBe('BAD_REQUEST');

    // Reapplying the losing value (TrainU's, here) writes it on both sides through the normal path.
    const [lost] = await database.query<{ id: string }>(
      'SELECT id FROM ghl_sync.sync_conflicts WHERE contact_id = $1',
      [ghlLater.id],
    );
    const reapply = (id: string) =>
      service.graphql('mutation($id: ID!) { reapplyConflictValue(id: $id) { id reappliedAt reappliedBy winner } }', {
        variables: { id },
      });
    const reapplied = (await (await reapply(lost!.id)).json()) as {
      data: { reapplyConflictValue: { id: string; reappliedAt: string; reappliedBy: string; winner: string } };
    };
    expect(reapplied.data.reapplyConflictValue).toMatchObject({
      id: lost!.id,
      winner: 'GHL',
      reappliedAt: expect.any(String) as string,
      reappliedBy: expect.stringMatching(/^api-key:[0-9a-f]{12}$/) as string,
    });
    await pushed(ghlLater.id);
    await quiet();
    expect((await contactRow(ghlLater.id)).first_name).toBe('Trainu');
    expect(ghlContact(ghlLater.ghlId).firstName).toBe('Trainu');
    const missing = (await (await reapply('00000000-0000-4000-8000-000000000000')).json()) as {
      errors: { extensions: { code: string } }[];
    };
    expect(missing.errors[0]!.extensions.code).toBe('NOT_FOUND');
  });

  it('a workflow that rewrites our write is a near miss: its value comes to TrainU, and nothing is written back', async () => {
    const { id, ghlId } = await syncedContact();
    const nearMisses = await metric('sync_echo_near_miss_total');
    ghl.runWorkflow({ field: 'lastName', rewrite: (value) => (value ? value.toUpperCase() : value) });
    try {
      await database.query("UPDATE contacts SET last_name = 'Workflowed' WHERE id = $1", [id]);
      await eventually(async () => ((await contactRow(id)).last_name === 'WORKFLOWED' ? true : undefined));
      await quiet();
    } finally {
      ghl.runWorkflow({ field: 'lastName', rewrite: (value) => value }); // inert from here on
    }
    expect(await metric('sync_echo_near_miss_total')).toBeGreaterThan(nearMisses);
    expect(writesTo(ghlId).filter((write) => write.method === 'PUT')).toHaveLength(1);
    expect(ghlContact(ghlId).lastName).toBe('WORKFLOWED');
  });

  it('retries a 503 on SYNC_RETRY_DELAYS, then applies the change', async () => {
    const { id, ghlId } = await syncedContact();
    ghl.failNextWrites(503);

    await database.query("UPDATE contacts SET last_name = 'AfterOutage' WHERE id = $1", [id]);
    await eventually(() => Promise.resolve(ghlContact(ghlId).lastName === 'AfterOutage' ? true : undefined));
    await quiet();

    const puts = writesTo(ghlId).filter((write) => write.method === 'PUT');
    expect(puts.map((write) => write.status)).toEqual([503, 200]);
    // The schedule's first delay (1 s here) separates the two attempts.
    expect(puts[1]!.at - puts[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('stops a contact written OUTBOUND_LOOP_LIMIT times within the hour, as a dead letter with its playbook', async () => {
    const { id, ghlId } = await syncedContact();
    // Five more pushes within the hour (with the create, six: the limit)
    await database.query(
      `INSERT INTO ghl_sync.outbound_writes (contact_id, ghl_contact_id, action, fields, correlation_id)
       SELECT $1, $2, 'update', '{firstName}', 'loop-' || n FROM generate_series(1, 5) n`,
      [id, ghlId],
    );
    const writes = writesTo(ghlId).length;

    await database.query("UPDATE contacts SET first_name = 'Again' WHERE id = $1", [id]);
    const letter = await eventually(async () => {
      const [row] = await database.query<{ id: string; error_class: string }>(
        "SELECT id, error_class FROM ghl_sync.sync_dead_letters WHERE payload->>'contactId' = $1",
        [id],
      );
      return row;
    });

    expect(letter.error_class).toBe('OutboundLoopSuspected');
    expect(await playbookOf(letter.id)).toContain('workflow');
    expect(writesTo(ghlId)).toHaveLength(writes);
  });
  // Last: the stand-in refuses lastName from here on.
  it('dead-letters a 422 at once, with its class and playbook', async () => {
    const { id, ghlId } = await syncedContact();
    ghl.rejectField('lastName');

    await database.query("UPDATE contacts SET last_name = 'Refused' WHERE id = $1", [id]);
    const letter = await eventually(async () => {
      const [row] = await database.query<{ id: string; error_class: string; attempts: number }>(
        "SELECT id, error_class, attempts FROM ghl_sync.sync_dead_letters WHERE payload->>'contactId' = $1",
        [id],
      );
      return row;
    });

    expect(letter.error_class).toBe('UnknownProperty');
    expect(letter.attempts).toBe(1);
    expect(await playbookOf(letter.id)).toContain('# UnknownProperty');
    expect(
      writesTo(ghlId)
        .filter((write) => write.method === 'PUT')
        .map((write) => write.status),
    ).toEqual([422]);
    expect(ghlContact(ghlId).lastName).toBe('Lee');
  });
});
