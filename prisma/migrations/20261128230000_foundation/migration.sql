-- CreateEnum
CREATE TYPE "sync_event_outcome" AS ENUM ('PENDING', 'APPLIED', 'STALE', 'IGNORED', 'FAILED', 'DEAD_LETTERED');

-- CreateEnum
CREATE TYPE "dead_letter_status" AS ENUM ('OPEN', 'REPLAYED', 'DISCARDED');

-- CreateTable
CREATE TABLE "sync_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "idempotency_key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "location_id" TEXT,
    "object_id" TEXT,
    "correlation_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),
    "outcome" "sync_event_outcome" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "payload" JSONB,

    CONSTRAINT "sync_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_dead_letters" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "queue" TEXT NOT NULL,
    "job_id" TEXT,
    "idempotency_key" TEXT,
    "correlation_id" TEXT,
    "payload" JSONB NOT NULL,
    "error_class" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "stack" TEXT,
    "playbook" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "status" "dead_letter_status" NOT NULL DEFAULT 'OPEN',
    "first_failed_at" TIMESTAMPTZ(3) NOT NULL,
    "last_failed_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),
    "resolved_by" TEXT,
    "resolution_note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_dead_letters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_cursors" (
    "location_id" TEXT NOT NULL,
    "object" TEXT NOT NULL,
    "cursor" JSONB,
    "run_started_at" TIMESTAMPTZ(3),
    "last_completed_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_cursors_pkey" PRIMARY KEY ("location_id","object")
);

-- CreateIndex
CREATE UNIQUE INDEX "sync_events_idempotency_key_key" ON "sync_events"("idempotency_key");

-- CreateIndex
CREATE INDEX "sync_events_received_at_idx" ON "sync_events"("received_at");

-- CreateIndex
CREATE INDEX "sync_events_processed_at_idx" ON "sync_events"("processed_at");

-- CreateIndex
CREATE INDEX "sync_dead_letters_status_last_failed_at_idx" ON "sync_dead_letters"("status", "last_failed_at");
