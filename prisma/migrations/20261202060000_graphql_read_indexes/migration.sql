-- Indexes that match the read API's filters in its (created_at, id) order (ADR 0018). Every name is
-- schema-qualified. bookings (starts_at) stays: other readers of the table (PostGraphile in the bench,
-- reporting SQL) plan better with it.

-- DropIndex
DROP INDEX "public"."contact_tags_tag_idx";

-- DropIndex
DROP INDEX "public"."opportunities_stage_id_status_idx";

-- CreateIndex
CREATE INDEX "bookings_starts_at_created_at_id_deleted_at_idx" ON "public"."bookings"("starts_at", "created_at", "id", "deleted_at");

-- CreateIndex
CREATE INDEX "contact_tags_tag_contact_id_idx" ON "public"."contact_tags"("tag", "contact_id");

-- CreateIndex
CREATE INDEX "opportunities_stage_id_status_deleted_at_idx" ON "public"."opportunities"("stage_id", "status", "deleted_at");
