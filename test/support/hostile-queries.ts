/**
 * GraphQL queries that took the service down before it had limits (issue 11): nesting that
 * multiplies rows at every level, and aliases that repeat a whole query.
 */

/**
 * Rows for those queries to multiply: `contacts` contacts with `bookingsEach` bookings each (on a test
 * database, or on the bench's).
 */
export async function seedContactsWithBookings(
  database: { query(sql: string, values?: unknown[]): Promise<unknown[]> },
  contacts = 300,
  bookingsEach = 3,
) {
  await database.query(
    `INSERT INTO contacts (ghl_contact_id, email)
       SELECT 'seeded-' || n, 'seeded' || n || '@example.com' FROM generate_series(1, $1::int) n`,
    [contacts],
  );
  await database.query(
    `INSERT INTO bookings (ghl_appointment_id, contact_id, status, starts_at)
       SELECT 'appt-' || c.ghl_contact_id || '-' || k, c.id, 'SCHEDULED', now() + k * interval '1 day'
         FROM contacts c CROSS JOIN generate_series(1, $1::int) k`,
    [bookingsEach],
  );
}

/** `contacts(first) { edges { node { bookings { contact { bookings { … id } } } } } }`, `depth` selections deep. */
export function nestedContactsQuery(depth: number, first = 200): string {
  let inner = 'id';
  for (let level = depth - 4; level >= 1; level -= 1)
    inner = `${level % 2 === 1 ? 'bookings' : 'contact'} { ${inner} }`;
  return `{ contacts(first: ${first}) { edges { node { ${inner} } } } }`;
}

/** `count` aliases of `contacts(first) { edges { node { bookings { id } } } }` in one operation. */
export function aliasedContactsQuery(count: number, first = 200): string {
  const fields = Array.from(
    { length: count },
    (_, index) => `a${index}: contacts(first: ${first}) { edges { node { bookings { id } } } }`,
  );
  return `{ ${fields.join(' ')} }`;
}

/** Depth of a query's deepest field (the leaf counts), as GraphQL depth limits count it. */
export function depthOf(query: string): number {
  let depth = 0;
  let deepest = 0;
  for (const character of query) {
    if (character === '{') deepest = Math.max(deepest, ++depth);
    if (character === '}') depth -= 1;
  }
  // Each selection set's brace holds one level of fields; the leaf sits inside the deepest one.
  return deepest;
}
