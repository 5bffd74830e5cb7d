-- API key lineage: a rotation's successor shares its predecessor's lineage_id, and created_by names the actor that
-- created (or rotated) the key. Four-eyes approval compares lineages, not key ids: whoever holds a key of the
-- requester's lineage, or a key the requester's lineage made, is the requester (SELF_APPROVAL).
ALTER TABLE "api_keys" ADD COLUMN "lineage_id" UUID, ADD COLUMN "created_by" TEXT;
-- Existing keys each start their own lineage; who created them is not known here (the audit log says).
UPDATE "api_keys" SET "lineage_id" = "id";
ALTER TABLE "api_keys" ALTER COLUMN "lineage_id" SET NOT NULL;
CREATE INDEX "api_keys_lineage_id_idx" ON "api_keys"("lineage_id");
CREATE INDEX "api_keys_created_by_idx" ON "api_keys"("created_by");
