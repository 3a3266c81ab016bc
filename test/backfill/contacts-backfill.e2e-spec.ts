import type { TestingModule } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContactsBackfill } from '../../src/backfill/contacts-backfill.js';
import { CheckpointedListing } from '../../src/backfill/checkpointed-listing.js';
import { startBackfillRunner } from '../support/backfill-runner.js';
import { GhlApiStandIn, type StandInContact } from '../support/ghl-api-stand-in.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface ContactRow {
  ghl_contact_id: string;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  deleted_at: Date | null;
}

describe('contacts backfill from the GHL REST API', () => {
  let database: TestDatabase;
  let ghl: GhlApiStandIn;
  let moduleRef: TestingModule;
  let runner: ContactsBackfill;
  // Pages of 100 (GHL allows up to 500): three pages without seeding thousands of contacts.
  const run = (options: { full?: boolean } = {}) => moduleRef.get(CheckpointedListing).run(runner, options);

  const rows = () =>
    database.query<ContactRow>(
      'SELECT ghl_contact_id, email, phone, first_name, last_name, deleted_at FROM contacts WHERE ghl_location_id = $1 ORDER BY ghl_contact_id',
      [ghl.locationId],
    );
  const okSearches = () =>
    ghl.requests.filter((request) => request.path === '/contacts/search' && request.status === 200).length;
  const tagsOf = async (ghlContactId: string) =>
    (
      await database.query<{ tag: string }>(
        'SELECT t.tag FROM contact_tags t JOIN contacts c ON c.id = t.contact_id WHERE c.ghl_contact_id = $1 ORDER BY t.tag',
        [ghlContactId],
      )
    ).map((row) => row.tag);

  beforeAll(async () => {
    database = await createTestDatabase('backfill_contacts');
    ghl = await GhlApiStandIn.start();
    ghl.seedContacts(260);
    moduleRef = await startBackfillRunner(database, ghl);
    runner = moduleRef.get(ContactsBackfill);
    runner.pageLimit = 100;
  });

  afterAll(async () => {
    await moduleRef.close();
    await ghl.stop();
    await database.drop();
  });

  it('copies every contact through the contact mapper, page by page, within the rate limit', async () => {
    const result = await run({ full: true });
    expect(result).toEqual({ object: 'contacts', pages: 3, records: 260, tombstoned: 0, resumed: false, full: true });

    const stored = await rows();
    const expected = [...ghl.contacts.values()].sort((a, b) => a.id.localeCompare(b.id));
    expect(stored.map((row) => row.ghl_contact_id)).toEqual(expected.map((contact) => contact.id));
    expect(stored.map(({ email, phone, first_name, last_name }) => ({ email, phone, first_name, last_name }))).toEqual(
      expected.map((contact) => ({
        email: contact.email,
        phone: contact.phone,
        first_name: contact.firstName,
        last_name: contact.lastName,
      })),
    );
    expect(await tagsOf(expected[0]!.id)).toEqual([...expected[0]!.tags].sort());
    expect(ghl.throttled).toBe(0);
    const [cursor] = await database.query<{ cursor: unknown; last_completed_at: Date | null }>(
      "SELECT cursor, last_completed_at FROM ghl_sync.sync_cursors WHERE object = 'contacts'",
    );
    expect(cursor).toMatchObject({ cursor: null });
    expect(cursor!.last_completed_at).toBeInstanceOf(Date);
  });

  it('resumes a failed run at its checkpoint: no page is fetched twice', async () => {
    const before = okSearches();
    ghl.injectFailures({ delayMs: 0 }, { status: 502 });
    await expect(run({ full: true })).rejects.toThrow();
    const [checkpoint] = await database.query<{ cursor: { pages: number; records: number }; last_error: string }>(
      "SELECT cursor, last_error FROM ghl_sync.sync_cursors WHERE object = 'contacts'",
    );
    expect(checkpoint!.cursor).toMatchObject({ pages: 1, records: 100 });
    expect(checkpoint!.last_error).toContain('Injected failure');

    const resumed = await run({ full: true });
    expect(resumed).toMatchObject({ pages: 3, records: 260, resumed: true });
    expect(okSearches() - before).toBe(3);
  });

  it('tombstones contacts gone from GHL only after a complete listing', async () => {
    const removed = [...ghl.contacts.values()].slice(0, 7);
    for (const contact of removed) ghl.contacts.delete(contact.id);
    expect((await run({ full: true })).tombstoned).toBe(7);
    const deleted = (await rows()).filter((row) => row.deleted_at !== null).map((row) => row.ghl_contact_id);
    expect(deleted.sort()).toEqual(removed.map((contact) => contact.id).sort());

    const alsoRemoved = [...ghl.contacts.values()].slice(0, 3);
    for (const contact of alsoRemoved) ghl.contacts.delete(contact.id);
    ghl.injectFailures({ delayMs: 0 }, { status: 502 });
    await expect(run({ full: true })).rejects.toThrow();
    expect((await rows()).filter((row) => row.deleted_at !== null)).toHaveLength(7);

    expect((await run({ full: true })).tombstoned).toBe(3);
    expect((await rows()).filter((row) => row.deleted_at !== null)).toHaveLength(10);
  });

  it('an incremental run reads only what changed since the previous run (with overlap)', async () => {
    const changed: StandInContact[] = [...ghl.contacts.values()].slice(0, 4);
    for (const contact of changed) {
      contact.email = `Moved.${contact.id}@Example.com`;
      contact.dateUpdated = new Date().toISOString();
    }
    const before = okSearches();
    const result = await run();
    expect(result).toMatchObject({ pages: 1, records: 4, tombstoned: 0 });
    expect(okSearches() - before).toBe(1);
    const stored = new Map((await rows()).map((row) => [row.ghl_contact_id, row.email]));
    for (const contact of changed) expect(stored.get(contact.id)).toBe(`moved.${contact.id.toLowerCase()}@example.com`);
  });

  it('a full run over contacts that did not change rewrites none of them (updated_at stays)', async () => {
    const snapshot = () =>
      database.query<{ ghl_contact_id: string; updated_at: Date }>(
        'SELECT ghl_contact_id, updated_at FROM contacts ORDER BY ghl_contact_id',
      );
    const before = await snapshot();
    expect((await run({ full: true })).records).toBe(ghl.contacts.size);
    expect(await snapshot()).toEqual(before);
  });
});
