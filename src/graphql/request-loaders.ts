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

  /** The rows whose `keyOf` is `key` (a contact's tags, say); one `fetch` for every key asked at once. */
  many<R>(
    name: symbol,
    key: string,
    fetch: (keys: readonly string[]) => Promise<R[]>,
    keyOf: (row: R) => string | null,
  ): Promise<R[]> {
    return this.get<string, R[]>(name, async (keys) => {
      const grouped = new Map<string, R[]>(keys.map((each) => [each, []]));
      for (const row of await fetch(keys)) grouped.get(keyOf(row) ?? '')?.push(row);
      return keys.map((each) => grouped.get(each) ?? []);
    }).load(key);
  }

  /** The row whose `keyOf` is `key`, or null; one `fetch` for every key asked at once. */
  one<R>(
    name: symbol,
    key: string,
    fetch: (keys: readonly string[]) => Promise<R[]>,
    keyOf: (row: R) => string,
  ): Promise<R | null> {
    return this.get<string, R | null>(name, async (keys) => {
      const byKey = new Map((await fetch(keys)).map((row) => [keyOf(row), row]));
      return keys.map((each) => byKey.get(each) ?? null);
    }).load(key);
  }
}

/** What each resolver finds in its GraphQL context. */
export interface GraphqlContext {
  readonly req: unknown;
  readonly loaders: RequestLoaders;
}
