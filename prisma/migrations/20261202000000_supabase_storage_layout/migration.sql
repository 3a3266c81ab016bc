-- Storage layout for Supabase (ADR 0013). Supabase's Data API serves schema `public` to anyone
-- holding the anon key, and Supabase grants `anon` and `authenticated` every privilege on what is
-- created there. So:
--   * the internal tables move to schema "ghl_sync", which the Data API does not serve and on
--     which those roles get no privilege (ALTER ... SET SCHEMA keeps every row, index, constraint
--     and owned sequence);
--   * the synced tables TrainU's apps use stay in `public`, with Row Level Security enabled and no
--     policy, and lose the privileges Supabase's defaults gave `anon` and `authenticated`.
-- Runs unchanged on plain Postgres, where those roles do not exist. Every name is schema-qualified.

CREATE SCHEMA IF NOT EXISTS "ghl_sync";
REVOKE ALL ON SCHEMA "ghl_sync" FROM PUBLIC;

-- MoveEnum
ALTER TYPE "public"."sync_event_outcome" SET SCHEMA "ghl_sync";
ALTER TYPE "public"."dead_letter_status" SET SCHEMA "ghl_sync";

-- MoveTable
ALTER TABLE "public"."sync_events" SET SCHEMA "ghl_sync";
ALTER TABLE "public"."sync_dead_letters" SET SCHEMA "ghl_sync";
ALTER TABLE "public"."sync_cursors" SET SCHEMA "ghl_sync";
ALTER TABLE "public"."domain_events" SET SCHEMA "ghl_sync";
ALTER TABLE "public"."ghl_request_grants" SET SCHEMA "ghl_sync";
ALTER TABLE "public"."ghl_rate_limits" SET SCHEMA "ghl_sync";
ALTER TABLE "public"."backfill_seen" SET SCHEMA "ghl_sync";

-- EnableRowLevelSecurity (no policy: only the owner and roles with BYPASSRLS see rows)
ALTER TABLE "public"."contacts" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "public"."contact_tags" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "public"."contact_custom_fields" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "public"."bookings" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "public"."opportunities" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "public"."pipelines" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "public"."pipeline_stages" ENABLE ROW LEVEL SECURITY;

-- RevokeDataApiPrivileges (the roles exist on Supabase only)
DO $$
DECLARE
  api_role text;
BEGIN
  FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = api_role) THEN
      EXECUTE format(
        'REVOKE ALL ON TABLE "public"."contacts", "public"."contact_tags", "public"."contact_custom_fields",
           "public"."bookings", "public"."opportunities", "public"."pipelines", "public"."pipeline_stages" FROM %I',
        api_role);
      EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA "ghl_sync" FROM %I', api_role);
      EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA "ghl_sync" FROM %I', api_role);
    END IF;
  END LOOP;
END $$;
