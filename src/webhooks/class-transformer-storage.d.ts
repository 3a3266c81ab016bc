/**
 * class-transformer keeps its `@Type` metadata in a storage it does not export from its index; its
 * typings for it live under `types/`. The CommonJS build is the one Node (and Vitest) loads, so the
 * decorators and this import share one storage.
 */
declare module 'class-transformer/cjs/storage.js' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage.js';
}
