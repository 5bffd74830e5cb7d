-- Reason codes: why an officer revoked or lifted, from a fixed list compliance reports group by (FRAUD,
-- SANCTIONS_HIT, KYC_EXPIRED, SUBJECT_REQUEST, COURT_ORDER, OTHER), next to the free-text reason. Rows written
-- before carry OTHER.
ALTER TABLE "attestations" ADD COLUMN "revoke_reason_code" TEXT;
UPDATE "attestations" SET "revoke_reason_code" = 'OTHER' WHERE "status" = 'revoked';
ALTER TABLE "zk_credentials" ADD COLUMN "revoke_reason_code" TEXT;
UPDATE "zk_credentials" SET "revoke_reason_code" = 'OTHER' WHERE "status" = 'revoked';
ALTER TABLE "holds" ADD COLUMN "reason_code" TEXT NOT NULL DEFAULT 'OTHER';
ALTER TABLE "holds" ALTER COLUMN "reason_code" DROP DEFAULT;
ALTER TABLE "holds" ADD COLUMN "lift_reason_code" TEXT;

-- GET /v1/audit/events?reasonCode= : the events that carry one, found by index (the expression is the one Prisma's
-- JSON path filter compiles to: `payload #> '{reasonCode}'`).
CREATE INDEX "audit_events_reason_code_idx" ON "audit_events" (("payload" #> '{reasonCode}'), "seq")
    WHERE ("payload" #> '{reasonCode}') IS NOT NULL;
