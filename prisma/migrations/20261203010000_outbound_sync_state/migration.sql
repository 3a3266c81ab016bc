-- What the outbound push needs to know besides the contact itself (ADR 0022). Internal tables, in
-- schema "ghl_sync" like the rest (ADR 0013); every name is schema-qualified.
--   * contact_sync_state: per contact, the values both sides last agreed on (the base of the
--     three-way merge), by the field names of SYNC_FIELD_RULES, and GHL's dateUpdated then.
--   * outbound_echoes: what each write to GHL set, per field, until a webhook carrying that value
--     consumes it (single use) or it expires: how an echo of our own write is told from a change.
--   * outbound_writes: every write sent to GHL (the loop breaker counts them; a contact's story).
--   * sync_conflicts: a field changed on both sides, both values, the rule and the winner.

-- CreateTable
CREATE TABLE "ghl_sync"."contact_sync_state" (
    "contact_id" UUID NOT NULL,
    "agreed" JSONB NOT NULL DEFAULT '{}',
    "ghl_date_updated" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_sync_state_pkey" PRIMARY KEY ("contact_id")
);

-- CreateTable
CREATE TABLE "ghl_sync"."outbound_echoes" (
    "id" BIGSERIAL NOT NULL,
    "ghl_contact_id" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "value" TEXT,
    "written_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "consumed_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbound_echoes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ghl_sync"."outbound_writes" (
    "id" BIGSERIAL NOT NULL,
    "contact_id" UUID NOT NULL,
    "ghl_contact_id" TEXT,
    "action" TEXT NOT NULL,
    "fields" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "correlation_id" TEXT NOT NULL,
    "written_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbound_writes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ghl_sync"."sync_conflicts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "contact_id" UUID,
    "field" TEXT NOT NULL,
    "trainu_value" TEXT,
    "ghl_value" TEXT,
    "trainu_changed_at" TIMESTAMPTZ(3),
    "ghl_changed_at" TIMESTAMPTZ(3),
    "rule" TEXT NOT NULL,
    "winner" TEXT NOT NULL,
    "correlation_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reapplied_at" TIMESTAMPTZ(3),
    "reapplied_by" TEXT,

    CONSTRAINT "sync_conflicts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "outbound_echoes_ghl_contact_id_expires_at_idx" ON "ghl_sync"."outbound_echoes"("ghl_contact_id", "expires_at");

-- CreateIndex
CREATE INDEX "outbound_echoes_expires_at_idx" ON "ghl_sync"."outbound_echoes"("expires_at");

-- CreateIndex
CREATE INDEX "outbound_writes_contact_id_written_at_idx" ON "ghl_sync"."outbound_writes"("contact_id", "written_at");

-- CreateIndex
CREATE INDEX "sync_conflicts_contact_id_created_at_id_idx" ON "ghl_sync"."sync_conflicts"("contact_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "sync_conflicts_created_at_id_idx" ON "ghl_sync"."sync_conflicts"("created_at", "id");

-- AddForeignKey
ALTER TABLE "ghl_sync"."contact_sync_state" ADD CONSTRAINT "contact_sync_state_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ghl_sync"."sync_conflicts" ADD CONSTRAINT "sync_conflicts_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The contacts synced before this migration: what TrainU holds is what GHL last sent, so it is
-- what both sides agree on.
INSERT INTO "ghl_sync"."contact_sync_state" ("contact_id", "agreed", "ghl_date_updated")
SELECT c."id",
       jsonb_build_object('email', c."email", 'phone', c."phone", 'firstName', c."first_name", 'lastName', c."last_name",
                          'tags', COALESCE((SELECT jsonb_agg(t."tag" ORDER BY t."tag") FROM "public"."contact_tags" t WHERE t."contact_id" = c."id"), '[]'::jsonb))
       || COALESCE((SELECT jsonb_object_agg('customField.' || f."field_id", f."value") FROM "public"."contact_custom_fields" f WHERE f."contact_id" = c."id"), '{}'::jsonb),
       c."ghl_updated_at"
FROM "public"."contacts" c
WHERE c."ghl_contact_id" IS NOT NULL AND c."deleted_at" IS NULL;

-- RevokeDataApiPrivileges (defined in 20261203000000_contact_outbox)
SELECT "ghl_sync"."revoke_data_api_privileges"();
