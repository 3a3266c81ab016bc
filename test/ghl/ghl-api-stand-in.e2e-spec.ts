import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GhlApiStandIn, type StandInContact } from '../support/ghl-api-stand-in.js';

/** The stand-in's own contract: the backfill tests and benchmark rely on it behaving like GHL. */
describe('GHL REST API stand-in', () => {
  let ghl: GhlApiStandIn;
  let contacts: StandInContact[];

  const call = async (
    path: string,
    init: { method?: string; body?: unknown; version?: string; token?: string } = {},
  ) => {
    const response = await fetch(`${ghl.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${init.token ?? ghl.token}`,
        version: init.version ?? (path.startsWith('/calendars') ? '2021-04-15' : '2021-07-28'),
        'content-type': 'application/json',
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  const search = (body: Record<string, unknown>) =>
    call('/contacts/search', { method: 'POST', body: { locationId: ghl.locationId, ...body } });

  beforeAll(async () => {
    ghl = await GhlApiStandIn.start();
    contacts = ghl.seedContacts(25_000);
    const pipeline = ghl.seedPipeline();
    ghl.seedOpportunities(250, pipeline, contacts);
    ghl.seedAppointments(48, contacts);
  });

  afterAll(() => ghl.stop());

  it('refuses a wrong token (401) and a missing Version header (400)', async () => {
    expect((await search({ pageLimit: 1 })).status).toBe(200);
    expect((await call('/opportunities/pipelines', { token: 'pit-wrong' })).status).toBe(401);
    expect((await call('/opportunities/pipelines', { version: '' })).body).toMatchObject({ statusCode: 400 });
  });

  it('pages contacts with page + pageLimit up to 10,000, then only with searchAfter', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 20; page++) {
      const result = await search({ page, pageLimit: 500 });
      seen.push(...(result.body.contacts as StandInContact[]).map((contact) => contact.id));
    }
    expect((await search({ page: 21, pageLimit: 500 })).status).toBe(422);
    expect((await search({ pageLimit: 501 })).status).toBe(422);

    let after = (await search({ page: 20, pageLimit: 500 })).body.contacts as { searchAfter: unknown }[];
    for (;;) {
      const result = await search({ pageLimit: 500, searchAfter: after.at(-1)!.searchAfter });
      const page = result.body.contacts as (StandInContact & { searchAfter: unknown })[];
      if (page.length === 0) break;
      seen.push(...page.map((contact) => contact.id));
      after = page;
    }
    expect(seen).toHaveLength(25_000);
    expect(new Set(seen).size).toBe(25_000);
    expect(new Set(seen)).toEqual(new Set(contacts.map((contact) => contact.id)));
  });

  it('pages opportunities by location_id with startAfter and startAfterId; startAfter alone starts over', async () => {
    expect((await call(`/opportunities/search?locationId=${ghl.locationId}`)).status).toBe(422);
    const first = await call(`/opportunities/search?location_id=${ghl.locationId}&limit=100`);
    const meta = first.body.meta as { startAfter: number; startAfterId: string; total: number };
    expect(meta.total).toBe(250);
    const both = await call(
      `/opportunities/search?location_id=${ghl.locationId}&limit=100&startAfter=${meta.startAfter}&startAfterId=${meta.startAfterId}`,
    );
    const only = await call(
      `/opportunities/search?location_id=${ghl.locationId}&limit=100&startAfter=${meta.startAfter}`,
    );
    const ids = (result: { body: Record<string, unknown> }) =>
      (result.body.opportunities as { id: string }[]).map((item) => item.id);
    expect(ids(only)).toEqual(ids(first));
    expect(ids(both)).not.toContain(ids(first)[0]);
    expect(ids(both)).toHaveLength(100);
  });

  it('lists appointments per calendar in epoch-millisecond windows', async () => {
    const calendarId = ghl.calendars[0]!.id;
    const start = Date.parse('2026-01-05T09:00:00Z');
    const day = await call(
      `/calendars/events?locationId=${ghl.locationId}&calendarId=${calendarId}&startTime=${start}&endTime=${start + 86_400_000}`,
    );
    expect((day.body.events as unknown[]).length).toBe(24);
    expect(
      (await call(`/calendars/events?locationId=${ghl.locationId}&startTime=${start}&endTime=${start + 1}`)).status,
    ).toBe(422);
  });

  it('enforces the burst and daily limits with GHL’s headers and 429s, and injects failures', async () => {
    const limited = await GhlApiStandIn.start({ limits: { burst: 3, windowMs: 500, daily: 5 } });
    try {
      const get = () =>
        fetch(`${limited.url}/opportunities/pipelines`, {
          headers: { authorization: `Bearer ${limited.token}`, version: '2021-07-28' },
        });
      const burst = await Promise.all([get(), get(), get(), get()]);
      expect(burst.map((response) => response.status).sort()).toEqual([200, 200, 200, 429]);
      const refused = burst.find((response) => response.status === 429)!;
      expect(Object.fromEntries([...refused.headers].filter(([name]) => name.startsWith('x-ratelimit')))).toEqual({
        'x-ratelimit-limit-daily': '5',
        'x-ratelimit-daily-remaining': '2',
        'x-ratelimit-interval-milliseconds': '500',
        'x-ratelimit-max': '3',
        'x-ratelimit-remaining': '0',
      });
      await new Promise((resolve) => setTimeout(resolve, 550));
      limited.injectFailures({ status: 502 });
      expect((await get()).status).toBe(502);
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(429);
      expect(limited.throttled).toBe(2);
    } finally {
      await limited.stop();
    }
  });
});
