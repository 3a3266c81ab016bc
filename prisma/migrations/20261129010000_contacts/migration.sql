-- CreateTable
CREATE TABLE "contacts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "ghl_contact_id" TEXT,
    "ghl_location_id" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "phone_invalid_raw" TEXT,
    "email_conflict" TEXT,
    "email_conflict_contact_id" UUID,
    "first_name" TEXT,
    "last_name" TEXT,
    "ghl_updated_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact_tags" (
    "contact_id" UUID NOT NULL,
    "tag" TEXT NOT NULL,

    CONSTRAINT "contact_tags_pkey" PRIMARY KEY ("contact_id","tag")
);

-- CreateTable
CREATE TABLE "contact_custom_fields" (
    "contact_id" UUID NOT NULL,
    "field_id" TEXT NOT NULL,
    "value" TEXT,

    CONSTRAINT "contact_custom_fields_pkey" PRIMARY KEY ("contact_id","field_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "contacts_ghl_contact_id_key" ON "contacts"("ghl_contact_id");

-- CreateIndex
CREATE UNIQUE INDEX "contacts_email_key" ON "contacts"("email");

-- CreateIndex
CREATE INDEX "contacts_phone_idx" ON "contacts"("phone");

-- CreateIndex
CREATE INDEX "contacts_created_at_id_idx" ON "contacts"("created_at", "id");

-- CreateIndex
CREATE INDEX "contacts_updated_at_idx" ON "contacts"("updated_at");

-- CreateIndex
CREATE INDEX "contact_tags_tag_idx" ON "contact_tags"("tag");

-- AddForeignKey
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_email_conflict_contact_id_fkey" FOREIGN KEY ("email_conflict_contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_tags" ADD CONSTRAINT "contact_tags_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_custom_fields" ADD CONSTRAINT "contact_custom_fields_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
