/** A position in the (created_at, id) order every paged table is read in. */
export interface KeysetPosition {
  readonly createdAt: Date;
  readonly id: string;
}

/**
 * Prisma `where` for the rows after `position` in (created_at, id) order, for any such table. The
 * `gte` says the same as the `OR` in a form Postgres can start a range scan of the (created_at, id)
 * index from; without it, the `OR` is a filter and a page deep in the table reads every row before it.
 */
export function keysetAfter(position: KeysetPosition) {
  return {
    createdAt: { gte: position.createdAt },
    OR: [{ createdAt: { gt: position.createdAt } }, { createdAt: position.createdAt, id: { gt: position.id } }],
  };
}
