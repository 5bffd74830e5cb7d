-- The off-chain execution gate (issue 14): executors are a new API-key role; each on-chain agent Custos runs has a
-- configuration (its owner tenant, who may call it, per-caller quotas); every confirmed ExecutionRequested becomes
-- one execution row, authorised (queued for the owner tenant's executors) or refused with a reason code.
ALTER TYPE "ApiKeyRole" ADD VALUE 'executor';

CREATE TABLE "agent_configs" (
    "agent_id" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "access" TEXT NOT NULL DEFAULT 'open',
    "access_token" TEXT,
    "access_min_balance" TEXT,
    "daily_quota" INTEGER,
    "monthly_quota" INTEGER,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "agent_configs_pkey" PRIMARY KEY ("agent_id"),
    CONSTRAINT "agent_configs_access" CHECK ("access" IN ('open', 'owner', 'token')),
    CONSTRAINT "agent_configs_token_access" CHECK (("access" = 'token') = ("access_token" IS NOT NULL))
);

ALTER TABLE "agent_configs" ADD CONSTRAINT "agent_configs_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "agent_executions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "registry" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "agent_id" TEXT NOT NULL,
    "caller" TEXT NOT NULL,
    "task_hash" TEXT NOT NULL,
    "attestation_uid" TEXT,
    "tenant_id" UUID,
    "block_number" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL,
    "reason_code" TEXT,
    "reason" TEXT,
    "claimed_by" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "claims" INTEGER NOT NULL DEFAULT 0,
    "units" BIGINT,
    "output" TEXT,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "agent_executions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "agent_executions_status" CHECK ("status" IN ('queued', 'leased', 'succeeded', 'failed', 'refused')),
    CONSTRAINT "agent_executions_refused_reason" CHECK (("status" = 'refused') = ("reason_code" IS NOT NULL))
);

-- One execution per on-chain request, however often the event is delivered or indexed.
CREATE UNIQUE INDEX "agent_executions_registry_request_id_key" ON "agent_executions"("registry", "request_id");
CREATE INDEX "agent_executions_tenant_id_status_block_number_log_index_idx" ON "agent_executions"("tenant_id", "status", "block_number", "log_index");
CREATE INDEX "agent_executions_agent_id_caller_requested_at_idx" ON "agent_executions"("agent_id", "caller", "requested_at");
CREATE INDEX "agent_executions_caller_idx" ON "agent_executions"("caller");
CREATE INDEX "agent_executions_registry_block_number_idx" ON "agent_executions"("registry", "block_number");

ALTER TABLE "agent_executions" ADD CONSTRAINT "agent_executions_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
