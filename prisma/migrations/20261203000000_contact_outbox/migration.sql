-- Capture of TrainU-side contact changes for the outbound sync (ADR 0019). Row triggers on the
-- three contact tables record, in the writer's own transaction, which mapped fields changed, into
-- ghl_sync.contact_outbox; the relay in the worker processes turns pending rows into one queue job
-- per contact, and the push worker marks the rows it finished.
--   * The sync's own writes (from GHL, and the push worker's write-back) run with the
--     transaction-scoped marker `ghl_sync.origin` set (src/database/sync-origin.ts); the triggers'
--     WHEN clauses skip them, and every update that changes no mapped column, before a trigger
--     event is even queued, so those writes cost nothing.
--   * The functions are SECURITY DEFINER, so any writer of the contact tables (TrainU's apps as
--     service_role, say) records its change without holding any privilege on ghl_sync; their
--     search_path is pinned and they live in ghl_sync, which the Data API does not serve, and
--     nobody but the owner may execute them.
--   * changed_at is clock_timestamp(), the moment of the change, not of its transaction's start.
--   * contact_id has no foreign key: the row of a hard-deleted contact must outlive it, with the
--     GHL id it had.
-- Every name is schema-qualified (ADR 0013).

-- CreateTable
CREATE TABLE "ghl_sync"."contact_outbox" (
    "id" BIGSERIAL NOT NULL,
    "contact_id" UUID NOT NULL,
    "op" TEXT NOT NULL,
    "changed_fields" TEXT[] NOT NULL,
    "changed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT clock_timestamp(),
    "ghl_contact_id" TEXT,
    "queued_at" TIMESTAMPTZ(6),
    "pushed_at" TIMESTAMPTZ(6),
    "dead_lettered_at" TIMESTAMPTZ(6),

    CONSTRAINT "contact_outbox_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "contact_outbox_op_check" CHECK ("op" IN ('insert', 'update', 'delete', 'reconcile'))
);

-- CreateIndex: a contact's rows the push worker has not finished, and their count (syncStatus.outboxPending)
CREATE INDEX "contact_outbox_pending_idx" ON "ghl_sync"."contact_outbox"("contact_id", "id") WHERE (pushed_at IS NULL);

-- CreateIndex: rows the relay has not put on the queue yet
CREATE INDEX "contact_outbox_awaiting_relay_idx" ON "ghl_sync"."contact_outbox"("id") WHERE (queued_at IS NULL);

REVOKE ALL ON TABLE "ghl_sync"."contact_outbox" FROM PUBLIC;
REVOKE ALL ON SEQUENCE "ghl_sync"."contact_outbox_id_seq" FROM PUBLIC;

-- CreateFunction: contacts. Field names are SYNC_FIELD_RULES's.
CREATE FUNCTION "ghl_sync"."capture_contact_change"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  fields text[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO ghl_sync.contact_outbox (contact_id, op, changed_fields, ghl_contact_id)
      VALUES (OLD.id, 'delete', '{}', OLD.ghl_contact_id);
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    fields := array_remove(ARRAY[
      CASE WHEN NEW.email IS NOT NULL THEN 'email' END,
      CASE WHEN NEW.phone IS NOT NULL THEN 'phone' END,
      CASE WHEN NEW.first_name IS NOT NULL THEN 'firstName' END,
      CASE WHEN NEW.last_name IS NOT NULL THEN 'lastName' END,
      CASE WHEN NEW.deleted_at IS NOT NULL THEN 'deletedAt' END], NULL);
  ELSE
    fields := array_remove(ARRAY[
      CASE WHEN OLD.email IS DISTINCT FROM NEW.email THEN 'email' END,
      CASE WHEN OLD.phone IS DISTINCT FROM NEW.phone THEN 'phone' END,
      CASE WHEN OLD.first_name IS DISTINCT FROM NEW.first_name THEN 'firstName' END,
      CASE WHEN OLD.last_name IS DISTINCT FROM NEW.last_name THEN 'lastName' END,
      CASE WHEN OLD.deleted_at IS DISTINCT FROM NEW.deleted_at THEN 'deletedAt' END], NULL);
  END IF;
  INSERT INTO ghl_sync.contact_outbox (contact_id, op, changed_fields, ghl_contact_id)
    VALUES (NEW.id, lower(TG_OP), fields, NEW.ghl_contact_id);
  RETURN NULL;
END $$;

-- CreateFunction: contact_tags, field `tags`
CREATE FUNCTION "ghl_sync"."capture_contact_tag_change"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO ghl_sync.contact_outbox (contact_id, op, changed_fields) VALUES (NEW.contact_id, 'update', '{tags}');
  END IF;
  -- A tag deleted by the cascade of its contact's hard delete: that contact's own 'delete' row says it all.
  IF TG_OP = 'DELETE' OR OLD.contact_id IS DISTINCT FROM NEW.contact_id THEN
    IF EXISTS (SELECT FROM public.contacts WHERE id = OLD.contact_id) THEN
      INSERT INTO ghl_sync.contact_outbox (contact_id, op, changed_fields) VALUES (OLD.contact_id, 'update', '{tags}');
    END IF;
  END IF;
  RETURN NULL;
END $$;

-- CreateFunction: contact_custom_fields, field `customField.<field_id>`
CREATE FUNCTION "ghl_sync"."capture_contact_custom_field_change"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO ghl_sync.contact_outbox (contact_id, op, changed_fields)
      VALUES (NEW.contact_id, 'update', ARRAY['customField.' || NEW.field_id]);
  END IF;
  IF TG_OP = 'DELETE' OR (OLD.contact_id, OLD.field_id) IS DISTINCT FROM (NEW.contact_id, NEW.field_id) THEN
    IF EXISTS (SELECT FROM public.contacts WHERE id = OLD.contact_id) THEN
      INSERT INTO ghl_sync.contact_outbox (contact_id, op, changed_fields)
        VALUES (OLD.contact_id, 'update', ARRAY['customField.' || OLD.field_id]);
    END IF;
  END IF;
  RETURN NULL;
END $$;

REVOKE ALL ON FUNCTION "ghl_sync"."capture_contact_change"() FROM PUBLIC;
REVOKE ALL ON FUNCTION "ghl_sync"."capture_contact_tag_change"() FROM PUBLIC;
REVOKE ALL ON FUNCTION "ghl_sync"."capture_contact_custom_field_change"() FROM PUBLIC;

-- CreateTrigger. Not a sync write: the marker is unset (NULL) or left empty by an earlier transaction.
CREATE TRIGGER "contact_outbox_insert" AFTER INSERT ON "public"."contacts" FOR EACH ROW
  WHEN (coalesce(current_setting('ghl_sync.origin', true), '') NOT IN ('ghl', 'outbound'))
  EXECUTE FUNCTION "ghl_sync"."capture_contact_change"();
CREATE TRIGGER "contact_outbox_update" AFTER UPDATE ON "public"."contacts" FOR EACH ROW
  WHEN (coalesce(current_setting('ghl_sync.origin', true), '') NOT IN ('ghl', 'outbound')
        AND (OLD.email, OLD.phone, OLD.first_name, OLD.last_name, OLD.deleted_at)
            IS DISTINCT FROM (NEW.email, NEW.phone, NEW.first_name, NEW.last_name, NEW.deleted_at))
  EXECUTE FUNCTION "ghl_sync"."capture_contact_change"();
CREATE TRIGGER "contact_outbox_delete" AFTER DELETE ON "public"."contacts" FOR EACH ROW
  WHEN (coalesce(current_setting('ghl_sync.origin', true), '') NOT IN ('ghl', 'outbound'))
  EXECUTE FUNCTION "ghl_sync"."capture_contact_change"();

CREATE TRIGGER "contact_outbox_insert_or_delete" AFTER INSERT OR DELETE ON "public"."contact_tags" FOR EACH ROW
  WHEN (coalesce(current_setting('ghl_sync.origin', true), '') NOT IN ('ghl', 'outbound'))
  EXECUTE FUNCTION "ghl_sync"."capture_contact_tag_change"();
CREATE TRIGGER "contact_outbox_update" AFTER UPDATE ON "public"."contact_tags" FOR EACH ROW
  WHEN (coalesce(current_setting('ghl_sync.origin', true), '') NOT IN ('ghl', 'outbound')
        AND (OLD.contact_id, OLD.tag) IS DISTINCT FROM (NEW.contact_id, NEW.tag))
  EXECUTE FUNCTION "ghl_sync"."capture_contact_tag_change"();

CREATE TRIGGER "contact_outbox_insert_or_delete" AFTER INSERT OR DELETE ON "public"."contact_custom_fields" FOR EACH ROW
  WHEN (coalesce(current_setting('ghl_sync.origin', true), '') NOT IN ('ghl', 'outbound'))
  EXECUTE FUNCTION "ghl_sync"."capture_contact_custom_field_change"();
CREATE TRIGGER "contact_outbox_update" AFTER UPDATE ON "public"."contact_custom_fields" FOR EACH ROW
  WHEN (coalesce(current_setting('ghl_sync.origin', true), '') NOT IN ('ghl', 'outbound')
        AND (OLD.contact_id, OLD.field_id, OLD.value) IS DISTINCT FROM (NEW.contact_id, NEW.field_id, NEW.value))
  EXECUTE FUNCTION "ghl_sync"."capture_contact_custom_field_change"();

-- RevokeDataApiPrivileges: one helper for this and later migrations. Supabase's default privileges
-- give `anon` and `authenticated` what the migration role creates, even in a schema they cannot use;
-- on plain Postgres the roles do not exist and this does nothing.
CREATE FUNCTION "ghl_sync"."revoke_data_api_privileges"() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  api_role text;
BEGIN
  FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = api_role) THEN
      EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA "ghl_sync" FROM %I', api_role);
      EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA "ghl_sync" FROM %I', api_role);
      EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA "ghl_sync" FROM %I', api_role);
    END IF;
  END LOOP;
END $$;
REVOKE ALL ON FUNCTION "ghl_sync"."revoke_data_api_privileges"() FROM PUBLIC;
SELECT "ghl_sync"."revoke_data_api_privileges"();
