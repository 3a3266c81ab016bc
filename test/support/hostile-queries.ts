/**
 * GraphQL queries that took the service down before it had limits (issue 11): nesting that
 * multiplies rows at every level, and aliases that repeat a whole query.
 */

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
