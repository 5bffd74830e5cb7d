-- Four-eyes approvals: a guarded action (FOUR_EYES) is stored with its validated parameters and the requester's
-- identity and scope, and takes effect only when a different officer approves it.
CREATE TABLE "approvals" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "action" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "tenant_id" UUID,
    "scope" JSONB NOT NULL,
    "requested_by" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "decided_by" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "decision_reason" TEXT,
    "result" JSONB,

    CONSTRAINT "approvals_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "approvals_status_requested_at_idx" ON "approvals"("status", "requested_at");

-- Bulk revocations: the targets and how far the job got, so a restart resumes where it stopped.
CREATE TABLE "bulk_revocations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "targets" JSONB NOT NULL,
    "reason_code" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "scope" JSONB NOT NULL,
    "tenant_id" UUID,
    "status" TEXT NOT NULL DEFAULT 'running',
    "processed" INTEGER NOT NULL DEFAULT 0,
    "revoked" INTEGER NOT NULL DEFAULT 0,
    "already" INTEGER NOT NULL DEFAULT 0,
    "not_found" INTEGER NOT NULL DEFAULT 0,
    "transactions" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bulk_revocations_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "bulk_revocations_status_idx" ON "bulk_revocations"("status");
