import type { Answer, GhlApiRecords, StandInContact } from './ghl-api-records.js';

const SEARCH_MAX_PAGE_LIMIT = 500;
const SEARCH_MAX_PAGED_RECORDS = 10_000;
const OPPORTUNITIES_MAX_LIMIT = 100;

/** The stand-in's read endpoints, with GHL's paging rules and quirks (reference/ghl-api.md §4). */
export class GhlApiReads {
  private sortedContacts: StandInContact[] | undefined;
  private sortedKeys: string[] = [];

  constructor(private readonly records: GhlApiRecords) {}

  /** GET /contacts/{id}: `{contact}`, or 404 once it is deleted. */
  contact(id: string): Answer {
    const contact = this.records.contacts.get(id);
    return contact
      ? { status: 200, body: { contact } }
      : { status: 404, body: { statusCode: 404, message: 'Contact not found' } };
  }

  /**
   * GET /contacts/search/duplicate?locationId&email|number: with duplicates disallowed GHL matches
   * by the location's unique identifier; the stand-in looks at the email first, then the phone.
   */
  duplicate(query: URLSearchParams): Answer {
    if (query.get('locationId') !== this.records.locationId) {
      return { status: 422, body: { statusCode: 422, message: ['locationId should not be empty'] } };
    }
    const contact =
      this.records.contactWith('email', query.get('email')) ?? this.records.contactWith('phone', query.get('number'));
    return { status: 200, body: { contact: contact ?? null } };
  }

  /** `page` + `pageLimit` up to 10,000 records, `searchAfter` (from the last contact) beyond. */
  searchContacts(body: Record<string, unknown>): Answer {
    const pageLimit = Number(body.pageLimit);
    if (body.locationId !== this.records.locationId || !Number.isInteger(pageLimit) || pageLimit < 1) {
      return unprocessable('locationId should not be empty', 'pageLimit must be a number');
    }
    if (pageLimit > SEARCH_MAX_PAGE_LIMIT) {
      return unprocessable(`pageLimit must not be greater than ${SEARCH_MAX_PAGE_LIMIT}`);
    }
    const sorted = this.contactsByUpdate().filter((contact) => matchesUpdatedSince(contact.dateUpdated, body.filters));
    let start: number;
    if (Array.isArray(body.searchAfter)) {
      if (body.page !== undefined) return unprocessable('page and searchAfter cannot be used together');
      const [after, afterId] = body.searchAfter as [number, string];
      start = sorted.findIndex(
        (contact) =>
          Date.parse(contact.dateUpdated) > after ||
          (Date.parse(contact.dateUpdated) === after && contact.id > afterId),
      );
      if (start === -1) start = sorted.length;
    } else {
      const page = Number(body.page ?? 1);
      if (page * pageLimit > SEARCH_MAX_PAGED_RECORDS) {
        return unprocessable('page * pageLimit must not exceed 10000; use searchAfter');
      }
      start = (page - 1) * pageLimit;
    }
    const contacts = sorted
      .slice(start, start + pageLimit)
      .map((contact) => ({ ...contact, searchAfter: [Date.parse(contact.dateUpdated), contact.id] }));
    return { status: 200, body: { contacts, total: sorted.length } };
  }

  /**
   * Contacts in search order (`dateUpdated`, then id), sorted again only when one was added, removed
   * or changed its `dateUpdated` (tests change them in place): a 50,000-contact listing would
   * otherwise spend its time sorting.
   */
  private contactsByUpdate(): StandInContact[] {
    const contacts = this.records.contacts;
    const cached = this.sortedContacts;
    const fresh =
      cached?.length === contacts.size &&
      cached.every(
        (contact, index) => contacts.get(contact.id) === contact && this.sortedKeys[index] === contact.dateUpdated,
      );
    if (!fresh) {
      this.sortedContacts = [...contacts.values()].sort((a, b) =>
        a.dateUpdated === b.dateUpdated ? (a.id < b.id ? -1 : 1) : a.dateUpdated < b.dateUpdated ? -1 : 1,
      );
      this.sortedKeys = this.sortedContacts.map((contact) => contact.dateUpdated);
    }
    return this.sortedContacts!;
  }

  /** snake_case `location_id`; paging needs both `startAfter` and `startAfterId` (one alone restarts). */
  searchOpportunities(query: URLSearchParams): Answer {
    if (query.get('location_id') !== this.records.locationId) return unprocessable("location_id can't be undefined");
    const limit = Math.min(Number(query.get('limit') ?? 20), OPPORTUNITIES_MAX_LIMIT);
    const sorted = [...this.records.opportunities.values()].sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
    );
    const startAfter = query.get('startAfter');
    const startAfterId = query.get('startAfterId');
    let start = 0;
    if (startAfter && startAfterId) {
      start = sorted.findIndex(
        (item) =>
          Date.parse(item.createdAt) > Number(startAfter) ||
          (Date.parse(item.createdAt) === Number(startAfter) && item.id > startAfterId),
      );
      if (start === -1) start = sorted.length;
    }
    const page = sorted.slice(start, start + limit);
    const last = page.at(-1);
    const more = start + limit < sorted.length;
    return {
      status: 200,
      body: {
        opportunities: page,
        meta: {
          total: sorted.length,
          startAfter: more && last ? Date.parse(last.createdAt) : null,
          startAfterId: more && last ? last.id : null,
          nextPageUrl:
            more && last
              ? `/opportunities/search?location_id=${this.records.locationId}&startAfter=${Date.parse(last.createdAt)}&startAfterId=${last.id}`
              : null,
        },
        aggregations: {},
      },
    };
  }

  /** Epoch-millisecond windows, one calendar at a time; no paging (none is documented). */
  calendarEvents(query: URLSearchParams): Answer {
    const startTime = Number(query.get('startTime'));
    const endTime = Number(query.get('endTime'));
    const calendarId = query.get('calendarId');
    if (
      query.get('locationId') !== this.records.locationId ||
      !calendarId ||
      !Number.isFinite(startTime) ||
      !Number.isFinite(endTime)
    ) {
      return unprocessable('locationId, calendarId, startTime and endTime (epoch ms) are required');
    }
    const events = [...this.records.appointments.values()].filter(
      (event) =>
        event.calendarId === calendarId &&
        Date.parse(event.startTime) >= startTime &&
        Date.parse(event.startTime) < endTime,
    );
    return { status: 200, body: { events } };
  }
}

/** GHL's validation answer: 422 with `message` as an array. */
export function unprocessable(...messages: string[]): Answer {
  return { status: 422, body: { statusCode: 422, message: messages, error: 'Unprocessable Entity' } };
}

function matchesUpdatedSince(dateUpdated: string, filters: unknown): boolean {
  if (!Array.isArray(filters)) return true;
  const range = (filters as { field?: string; operator?: string; value?: { gte?: string } }[]).find(
    (filter) => filter.field === 'dateUpdated' && filter.operator === 'range',
  );
  return !range?.value?.gte || dateUpdated >= new Date(range.value.gte).toISOString();
}
