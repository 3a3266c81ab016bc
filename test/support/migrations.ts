import { readMigrationFiles } from '../../src/database/migrations/migration-files.js';
import { MIGRATIONS_DIR } from '../../src/paths.js';

/** Names of every migration in prisma/migrations, in the order they apply. */
export const ALL_MIGRATIONS = readMigrationFiles(MIGRATIONS_DIR).map((migration) => migration.name);
