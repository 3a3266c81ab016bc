-- CreateTable
CREATE TABLE "backfill_seen" (
    "location_id" TEXT NOT NULL,
    "object" TEXT NOT NULL,
    "ghl_id" TEXT NOT NULL,

    CONSTRAINT "backfill_seen_pkey" PRIMARY KEY ("location_id","object","ghl_id")
);
