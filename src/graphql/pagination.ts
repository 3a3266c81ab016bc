import type { Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType, type FieldMiddleware } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { GraphQLError } from 'graphql';
import type { KeysetPosition } from '../database/keyset.js';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

@ArgsType()
export class PaginationArgs {
  @Field(() => Int, {
    nullable: true,
    defaultValue: DEFAULT_PAGE_SIZE,
    description: `Page size, 1 to ${MAX_PAGE_SIZE}; null means ${DEFAULT_PAGE_SIZE}.`,
  })
  @Transform(({ value }: { value: unknown }) => value ?? DEFAULT_PAGE_SIZE)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first: number = DEFAULT_PAGE_SIZE;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  @IsOptional()
  @IsString()
  after?: string;
}

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  /** A function is called only when the query selects the field (countOnlyWhenSelected). */
  totalCount: number | (() => Promise<number>);
}

/**
 * The count is a query of its own: a connection carries it as a function, which this field
 * middleware calls only when a query selects `totalCount`.
 */
const countOnlyWhenSelected: FieldMiddleware = async (_context, next) => {
  const value: unknown = await next();
  return typeof value === 'function' ? (value as () => Promise<number>)() : value;
};

/** A Relay connection type for `T`, named `<T>Connection` with `<T>Edge` edges. */
export function Paginated<T>(node: Type<T>): Type<Connection<T>> {
  @ObjectType(`${node.name}Edge`)
  class EdgeType {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType({ isAbstract: true })
  class ConnectionType {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Rows matching the filter, on every page.', middleware: [countOnlyWhenSelected] })
    totalCount!: number;
  }
  return ConnectionType;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.createdAt.toISOString()}|${position.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): KeysetPosition {
  const [createdAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(createdAt ?? '');
  if (rest.length > 0 || !id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(date.getTime())) {
    throw new GraphQLError('`after` is not a cursor this API returned.', {
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' },
    });
  }
  return { createdAt: date, id };
}

/** Builds a connection from up to `first + 1` rows (the extra one only says another page exists). */
export function toConnection<T extends KeysetPosition>(
  rows: T[],
  first: number,
  totalCount: Connection<T>['totalCount'],
): Connection<T> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

/** A table read page by page in (created_at, id) order; each paged repository is one. */
export interface PagedSource<Query, Row extends KeysetPosition> {
  findPage(query: Query, limit: number, after?: KeysetPosition): Promise<Row[]>;
  count(query: Query): Promise<number>;
}

/** One Relay page of `source`: the rows after `after`, one extra to know whether more follow, and the total when asked. */
export async function pageOf<Query, Row extends KeysetPosition>(
  source: PagedSource<Query, Row>,
  query: Query,
  { first, after }: PaginationArgs,
): Promise<Connection<Row>> {
  const rows = await source.findPage(query, first + 1, after ? decodeCursor(after) : undefined);
  let counting: Promise<number> | undefined;
  // Once per page, however many aliases of totalCount the query selects.
  return toConnection(rows, first, () => (counting ??= source.count(query)));
}
