-- Shadow mode and preview (issue 15, ADR 0024). Internal, in schema "ghl_sync" (ADR 0013).
--   * outbound_plans: every plan the outbound worker made: carried out (mode push) or only
--     recorded (mode shadow): the action, each field from -> to with the rule that decided, the
--     tag changes and the GHL requests it costs. Purged after INBOX_RETENTION_DAYS (it holds values).
--   * contact_outbox.planned_at: shadow mode planned the row and wrote nothing; the relay of a push
--     mode process sends such rows again, so switching to push sends what is still due, once.

-- AlterTable
ALTER TABLE "ghl_sync"."contact_outbox" ADD COLUMN "planned_at" TIMESTAMPTZ(6);

-- CreateTable
CREATE TABLE "ghl_sync"."outbound_plans" (
    "id" BIGSERIAL NOT NULL,
    "contact_id" UUID NOT NULL,
    "ghl_contact_id" TEXT,
    "mode" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "changes" JSONB NOT NULL DEFAULT '[]',
    "tags_to_add" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "tags_to_remove" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "api_calls" INTEGER NOT NULL,
    "reason" TEXT,
    "correlation_id" TEXT NOT NULL,
    "planned_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbound_plans_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "outbound_plans_contact_id_id_idx" ON "ghl_sync"."outbound_plans"("contact_id", "id");

-- CreateIndex
CREATE INDEX "outbound_plans_planned_at_idx" ON "ghl_sync"."outbound_plans"("planned_at");

-- CreateIndex
CREATE INDEX "contact_outbox_planned_idx" ON "ghl_sync"."contact_outbox"("id") WHERE planned_at IS NOT NULL AND pushed_at IS NULL;

-- RevokeDataApiPrivileges (defined in 20261203000000_contact_outbox)
SELECT "ghl_sync"."revoke_data_api_privileges"();
