import { fileURLToPath } from 'node:url';

/** The checkout (or install) root: `src/..` when run from source, `dist/..` when compiled. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
