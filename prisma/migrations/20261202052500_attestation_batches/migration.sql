-- Batched attestations (issue 15): a batch's Merkle root is signed once by the active key; each attestation of the
-- batch is a row in attestations (format eip712-batch, signature empty: the attestation itself is not signed) naming
-- its batch and holding its leaf's proof, so a stored attestation can be handed out again and verified.
CREATE TABLE "attestation_batches" (
    "root" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "signer" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "attestation_batches_pkey" PRIMARY KEY ("root")
);
ALTER TABLE "attestations" ADD COLUMN "batch_root" TEXT, ADD COLUMN "batch_proof" JSONB;
ALTER TABLE "attestations" ADD CONSTRAINT "attestations_batch_root_fkey" FOREIGN KEY ("batch_root") REFERENCES "attestation_batches"("root") ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE INDEX "attestations_batch_root_idx" ON "attestations"("batch_root");
