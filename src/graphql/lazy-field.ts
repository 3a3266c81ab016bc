/**
 * Gives `row` a field `name` that loads when read, unless the row has it already: Nest's resolver
 * for a plain `@Field` returns `row[name]` as it is, and GraphQL awaits a promise, so a nested list
 * or count is loaded (through the request's DataLoaders) only when a query selects it, and no Nest
 * field resolver runs per row.
 */
export function lazyField<T extends object, K extends keyof T & string>(row: T, name: K, load: () => T[K]): T {
  // Read without calling a getter: a row a DataLoader returns again may have its lazy field already.
  const own = Object.getOwnPropertyDescriptor(row, name);
  if (own && (own.get || own.value !== undefined)) return row;
  let loaded: T[K] | undefined;
  Object.defineProperty(row, name, { configurable: true, enumerable: false, get: () => (loaded ??= load()) });
  return row;
}

/** The row's own value of `name` if it was read with the row: never a lazy field's promise. */
export function readWith<T extends object, K extends keyof T & string>(row: T, name: K): T[K] | undefined {
  return Object.getOwnPropertyDescriptor(row, name)?.value as T[K] | undefined;
}
