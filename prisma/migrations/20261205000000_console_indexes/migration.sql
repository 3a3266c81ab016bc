-- The console (issue 16, ADR 0025). Its overview charts outbound writes per minute over the last 24 h:
-- read through an index on the write time, not a scan of the whole log.

-- CreateIndex
CREATE INDEX "outbound_writes_written_at_idx" ON "ghl_sync"."outbound_writes"("written_at");

-- Each backfill run of an object (the console's backfill page): full or incremental, when, how far
-- it got while it runs (pages, records), and how it ended (records, tombstones, the error).

-- CreateTable
CREATE TABLE "ghl_sync"."backfill_runs" (
    "id" BIGSERIAL NOT NULL,
    "location_id" TEXT NOT NULL,
    "object" TEXT NOT NULL,
    "full" BOOLEAN NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "pages" INTEGER NOT NULL DEFAULT 0,
    "records" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER,
    "tombstoned" INTEGER,
    "resumed" BOOLEAN,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "backfill_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "backfill_runs_location_id_object_id_idx" ON "ghl_sync"."backfill_runs"("location_id", "object", "id");

-- RevokeDataApiPrivileges (defined in 20261203000000_contact_outbox)
SELECT "ghl_sync"."revoke_data_api_privileges"();

-- A contact's story (the console): its inbox events by the GHL id they are about.

-- CreateIndex
CREATE INDEX "sync_events_object_id_received_at_idx" ON "ghl_sync"."sync_events"("object_id", "received_at");
