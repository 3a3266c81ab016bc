-- CreateTable
CREATE TABLE "ghl_request_grants" (
    "id" BIGSERIAL NOT NULL,
    "location_id" TEXT NOT NULL,
    "granted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ghl_request_grants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ghl_rate_limits" (
    "location_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "daily_used" INTEGER NOT NULL DEFAULT 0,
    "daily_remaining" INTEGER,
    "burst_max" INTEGER,
    "interval_ms" INTEGER,
    "blocked_until" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ghl_rate_limits_pkey" PRIMARY KEY ("location_id")
);

-- CreateIndex
CREATE INDEX "ghl_request_grants_location_id_granted_at_idx" ON "ghl_request_grants"("location_id", "granted_at");
