-- The console's overview per location and object (issue 16, ADR 0025).
--   * intake_duplicates: webhook deliveries the intake turned away as duplicates, counted per
--     minute, location ('' for none) and event type, in the intake's own INSERT. The inbox keeps no
--     row for a duplicate, so without this the chart could not show them. Purged after two days.
--   * sync_events_unprocessed_idx: events received and not yet processed (waiting for the relay,
--     queued, or waiting for a retry), per location and type: the queue depth, read from a small index.

-- CreateTable
CREATE TABLE "ghl_sync"."intake_duplicates" (
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "location_id" TEXT NOT NULL DEFAULT '',
    "type" TEXT NOT NULL,
    "deliveries" INTEGER NOT NULL,

    CONSTRAINT "intake_duplicates_pkey" PRIMARY KEY ("minute","location_id","type")
);

-- CreateIndex
CREATE INDEX "sync_events_unprocessed_idx" ON "ghl_sync"."sync_events"("location_id", "type") WHERE processed_at IS NULL;

-- RevokeDataApiPrivileges (defined in 20261203000000_contact_outbox)
SELECT "ghl_sync"."revoke_data_api_privileges"();
