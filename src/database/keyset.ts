/** A position in the (created_at, id) order every paged table is read in. */
export interface KeysetPosition {
  readonly createdAt: Date;
  readonly id: string;
}

/** Prisma `where` for the rows after `position` in (created_at, id) order, for any such table. */
export function keysetAfter(position: KeysetPosition) {
  return {
    OR: [{ createdAt: { gt: position.createdAt } }, { createdAt: position.createdAt, id: { gt: position.id } }],
  };
}
