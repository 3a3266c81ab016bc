import DataLoader from 'dataloader';

/**
 * DataLoaders of one GraphQL request, created on first use: every field resolved in the request
 * shares them, so the contacts of a page load their tags in one query, not one per contact.
 */
export class RequestLoaders {
  private readonly loaders = new Map<symbol, DataLoader<unknown, unknown>>();

  get<K, V>(key: symbol, batch: DataLoader.BatchLoadFn<K, V>): DataLoader<K, V> {
    let loader = this.loaders.get(key) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V>(batch, { maxBatchSize: 1000 });
      this.loaders.set(key, loader);
    }
    return loader;
  }
}

/** Groups rows by key into the order DataLoader expects, with an empty list for keys without rows. */
export function groupByKeys<K, R, V>(
  keys: readonly K[],
  rows: readonly R[],
  keyOf: (row: R) => K,
  valueOf: (row: R) => V,
): V[][] {
  const grouped = new Map<K, V[]>(keys.map((key) => [key, []]));
  for (const row of rows) grouped.get(keyOf(row))?.push(valueOf(row));
  return keys.map((key) => grouped.get(key) ?? []);
}

/** One row (or null) per key, in the order DataLoader expects. */
export function orderByKeys<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const byKey = new Map<K, R>(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}

/** What each resolver finds in its GraphQL context. */
export interface GraphqlContext {
  readonly req: unknown;
  readonly loaders: RequestLoaders;
}
