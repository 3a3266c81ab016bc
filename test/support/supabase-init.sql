-- Copied unchanged from the shared reference (shared/supabase/init.sql) so a fresh clone can run it.
-- Supabase's database initialisation, the parts that decide who can reach schema `public`,
-- replayed on a vanilla PostgreSQL 15 so the service's migrations land as they do on Supabase.
--
-- Source: github.com/supabase/postgres (snapshot at commit 7db7e1a9e34b9ffb9b0e3372ccf08eb4fa772f4b,
-- 2024-10-23; the init script is unchanged in the later indexed version aec738186bbc, which only
-- adds `create user supabase_admin;` at the top). Files, in the order migrations/db/migrate.sh
-- runs them (init-scripts as `postgres`, then migrations as `supabase_admin`):
--   migrations/db/init-scripts/00000000000000-initial-schema.sql  roles, grants, DEFAULT PRIVILEGES
--   migrations/db/init-scripts/00000000000003-post-setup.sql      search_path of postgres
--   migrations/db/migrations/20221028101028_set_authenticator_timeout.sql
--   migrations/db/migrations/20221103090837_revoke_admin.sql       revoke supabase_admin from authenticator
--   migrations/db/migrations/20230201083204_grant_auth_roles_to_postgres.sql
--   migrations/db/migrations/20230529180330_alter_api_roles_for_inherit.sql
--   migrations/db/migrations/20231130133139_set_lock_timeout_to_authenticator_role.sql
-- The Data API side: docker/all-in-one/init/configure-postgrest.sh in the same repository sets
-- PostgREST's db-schemas to `public,storage,graphql_public` and db-anon-role to `anon`
-- (PGRST_DB_SCHEMAS / PGRST_DB_ANON_ROLE defaults), and PostgREST logs in as `authenticator`
-- (docker/all-in-one/etc/postgrest/base.conf). Supabase's docs say the same:
-- supabase/supabase apps/docs/content/guides/api/securing-your-api.mdx ("tables and functions you
-- create in public are automatically granted SELECT, INSERT, UPDATE, DELETE ... to anon,
-- authenticated, and service_role") and apps/docs/content/guides/database/hardening-data-api.mdx
-- ("Any tables that are accessible through the Data API must have Row Level Security enabled").
--
-- Adapted for a vanilla PostgreSQL 15 (Debian), and why:
--   * Roles are created only if missing (roles are cluster-wide; the file can run against several
--     databases of one server). Statements are otherwise as in the sources.
--   * SKIPPED `create extension pgjwt` (not installed on Debian's PG 15; irrelevant to privileges).
--   * SKIPPED `create publication supabase_realtime` (empty publication; Realtime not tested),
--     supabase_replication_admin and supabase_read_only_user (not API roles), the auth/storage
--     schemas (00000000000001/2; nothing of the service lives there), pg_cron/pg_net/pg_graphql event
--     triggers (extensions not installed; NOTE: on Supabase pg_graphql is on by default and serves
--     the same grants at /graphql/v1), `grant pgsodium_keyholder to service_role` (no pgsodium).
--   * SKIPPED 10000000000000_demote-postgres.sql (`ALTER ROLE postgres NOSUPERUSER ... BYPASSRLS`):
--     on this test server postgres is the bootstrap superuser we administer with. It changes
--     nothing measured here: the service's tables are owned by postgres either way, and the owner
--     and BYPASSRLS both skip RLS.
--   * `ALTER ROLE postgres SET search_path` is scoped `IN DATABASE` the current database so the
--     rest of the test server is left alone.
-- Run as postgres, connected to the target database: psql -v ON_ERROR_STOP=1 -f supabase-init.sql

-- 00000000000000-initial-schema.sql -------------------------------------------------------------
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'supabase_admin') THEN
    CREATE USER supabase_admin;
  END IF;
END $$;
ALTER USER supabase_admin WITH SUPERUSER CREATEDB CREATEROLE REPLICATION BYPASSRLS;

-- Extension namespacing
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;
-- create extension if not exists pgjwt with schema extensions;   -- skipped: not installed

-- Set up auth roles for the developer
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOINHERIT; -- "logged in" user
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'service_role') THEN
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN
    CREATE USER authenticator NOINHERIT;
  END IF;
END $$;
GRANT anon TO authenticator;
GRANT authenticated TO authenticator;
GRANT service_role TO authenticator;
GRANT supabase_admin TO authenticator;

GRANT USAGE ON SCHEMA public TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO postgres, anon, authenticated, service_role;

-- Allow Extensions to be used in the API
GRANT USAGE ON SCHEMA extensions TO postgres, anon, authenticated, service_role;

-- Set up namespacing
ALTER USER supabase_admin SET search_path TO public, extensions;

-- These are required so that the users receive grants whenever "supabase_admin" creates tables/function
ALTER DEFAULT PRIVILEGES FOR USER supabase_admin IN SCHEMA public GRANT ALL
    ON SEQUENCES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR USER supabase_admin IN SCHEMA public GRANT ALL
    ON TABLES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR USER supabase_admin IN SCHEMA public GRANT ALL
    ON FUNCTIONS TO postgres, anon, authenticated, service_role;

-- Set short statement/query timeouts for API roles
ALTER ROLE anon SET statement_timeout = '3s';
ALTER ROLE authenticated SET statement_timeout = '8s';

-- 00000000000003-post-setup.sql (only the search_path of postgres; scoped to this database) ------
DO $$
BEGIN
  EXECUTE format('ALTER ROLE postgres IN DATABASE %I SET search_path TO "$user", public, extensions',
                 current_database());
END $$;

-- migrations/db/migrations ----------------------------------------------------------------------
ALTER ROLE authenticator SET statement_timeout = '8s';          -- 20221028101028
REVOKE supabase_admin FROM authenticator;                       -- 20221103090837
GRANT anon, authenticated, service_role TO postgres;            -- 20230201083204
ALTER ROLE authenticated INHERIT;                               -- 20230529180330
ALTER ROLE anon INHERIT;
ALTER ROLE service_role INHERIT;
-- GRANT pgsodium_keyholder TO service_role;                    -- skipped: no pgsodium
ALTER ROLE authenticator SET lock_timeout TO '8s';              -- 20231130133139
