-- The inbox as the queue's source (ADR 0017). The intake writes only the inbox row, with
-- queued_at NULL; the relay in the worker processes enqueues the pg-boss jobs of such rows in
-- batches and sets queued_at in the same transaction.
--   * The default marks every row another writer stores as needing no relay: every row that exists
--     now (the intake before this migration enqueued its job in the row's own transaction), rows an
--     intake of the previous version stores during a rolling upgrade (it still sends the job
--     itself), and rows stored with a final outcome. Adding a column with a non-volatile default
--     rewrites nothing (PostgreSQL 11+).
--   * The partial index holds only the rows waiting for the relay, so finding them stays cheap
--     whatever the size of the inbox.
-- Every name is schema-qualified (ADR 0013).

-- AlterTable
ALTER TABLE "ghl_sync"."sync_events" ADD COLUMN "queued_at" TIMESTAMPTZ(3) DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "sync_events_awaiting_relay_idx" ON "ghl_sync"."sync_events"("received_at") WHERE (queued_at IS NULL AND outcome = 'PENDING'::ghl_sync.sync_event_outcome);
