-- KYC decisions are ordered by the server, not by a caller's clock: who decided last (an officer or a provider),
-- when the server stored it, and the signed time of the newest provider event applied. Rows written before this
-- migration keep their time as both (0.1 stored the provider's signed time, or the officer's server time).
ALTER TABLE "kyc_records" ADD COLUMN "decided_by" TEXT NOT NULL DEFAULT 'provider';
ALTER TABLE "kyc_records" ADD COLUMN "provider_event_at" TIMESTAMPTZ(3);
UPDATE "kyc_records" SET "provider_event_at" = "updated_at";
ALTER TABLE "kyc_records" ALTER COLUMN "decided_by" DROP DEFAULT;

-- Signed webhook deliveries seen recently (the timestamp and body digest): an exact replay inside the tolerance
-- window is refused. Rows older than the window are pruned as new deliveries arrive.
CREATE TABLE "kyc_webhook_deliveries" (
    "digest" BYTEA NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kyc_webhook_deliveries_pkey" PRIMARY KEY ("digest")
);

CREATE INDEX "kyc_webhook_deliveries_received_at_idx" ON "kyc_webhook_deliveries"("received_at");
