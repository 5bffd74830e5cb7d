-- CreateTable
CREATE TABLE "chain_cursor" (
    "name" TEXT NOT NULL,
    "block_number" BIGINT NOT NULL,
    "block_hash" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chain_cursor_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "chain_blocks" (
    "number" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "chain_blocks_pkey" PRIMARY KEY ("number")
);

-- CreateTable
CREATE TABLE "chain_events" (
    "id" BIGSERIAL NOT NULL,
    "block_number" BIGINT NOT NULL,
    "block_hash" TEXT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "contract" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "attestation_uid" TEXT,
    "subject" TEXT,
    "args" JSONB NOT NULL,
    "block_time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "chain_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "revocation_roots" (
    "epoch" BIGINT NOT NULL,
    "root" TEXT NOT NULL,
    "tx_hash" TEXT,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "revocation_roots_pkey" PRIMARY KEY ("epoch")
);

-- CreateIndex
CREATE UNIQUE INDEX "chain_events_block_number_log_index_key" ON "chain_events"("block_number", "log_index");

-- CreateIndex
CREATE INDEX "chain_events_attestation_uid_idx" ON "chain_events"("attestation_uid");

-- CreateIndex
CREATE INDEX "chain_events_subject_idx" ON "chain_events"("subject");

-- CreateIndex
CREATE INDEX "chain_events_event_idx" ON "chain_events"("event");
