import type { PrismaTransaction, SqlClient } from './prisma.service.js';

/**
 * Runs one parameterised statement on a Prisma transaction or a node-postgres client alike, for
 * repositories that join either kind of caller's transaction; the rows it returned.
 */
export async function queryRows<T>(
  client: PrismaTransaction | SqlClient,
  sql: string,
  values: readonly unknown[] = [],
): Promise<T[]> {
  if ('$queryRawUnsafe' in client) return client.$queryRawUnsafe<T[]>(sql, ...values);
  return (await client.query(sql, [...values])).rows as T[];
}
