-- AlterTable
ALTER TABLE "attestations" ADD COLUMN "idempotency_key" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "attestations_tenant_id_idempotency_key_key" ON "attestations"("tenant_id", "idempotency_key");
