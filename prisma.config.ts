import { defineConfig } from 'prisma/config';

// The runtime never reads this file: the service builds its own connection from validated config.
// It serves the Prisma CLI (`prisma generate`, and `prisma migrate status|deploy` where Prisma's
// schema engine can be downloaded). Prisma keeps `_prisma_migrations` in the URL's `schema`, and
// this service keeps it in its internal schema (ADR 0013), so the URL is pointed there.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: withMigrationsSchema(process.env.DATABASE_URL ?? '') },
});

function withMigrationsSchema(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (!parsed.searchParams.has('schema')) parsed.searchParams.set('schema', 'ghl_sync');
  return parsed.toString();
}
