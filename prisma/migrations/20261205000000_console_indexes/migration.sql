-- The console's overview (issue 16, ADR 0025) charts outbound writes per minute over the last 24 h:
-- read through an index on the write time, not a scan of the whole log.

-- CreateIndex
CREATE INDEX "outbound_writes_written_at_idx" ON "ghl_sync"."outbound_writes"("written_at");
