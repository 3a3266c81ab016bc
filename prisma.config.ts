import { defineConfig } from 'prisma/config';

// The runtime never reads this file: the service builds its own connection from validated config.
// It serves the Prisma CLI (`prisma generate`, and `prisma migrate status|deploy` where Prisma's
// schema engine can be downloaded).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
