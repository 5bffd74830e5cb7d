-- CreateTable
CREATE TABLE "audit_batches" (
    "index" INTEGER NOT NULL,
    "first_seq" BIGINT NOT NULL,
    "last_seq" BIGINT NOT NULL,
    "root" BYTEA NOT NULL,
    "tx_hash" TEXT,
    "anchored_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "audit_batches_pkey" PRIMARY KEY ("index")
);

-- CreateIndex
CREATE UNIQUE INDEX "audit_batches_first_seq_key" ON "audit_batches"("first_seq");
