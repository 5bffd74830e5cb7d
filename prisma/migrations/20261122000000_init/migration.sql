-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('dapp', 'officer', 'regulator', 'admin');

-- CreateEnum
CREATE TYPE "AttestationStatus" AS ENUM ('active', 'revoked');

-- CreateTable
CREATE TABLE "tenants" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" BYTEA NOT NULL,
    "label" TEXT NOT NULL,
    "rate_limit_per_minute" INTEGER NOT NULL DEFAULT 6000,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kyc_records" (
    "subject" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "country" TEXT,
    "birth_date" DATE,
    "accredited" BOOLEAN NOT NULL DEFAULT false,
    "risk_score" INTEGER,
    "provider" TEXT NOT NULL,
    "reference" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kyc_records_pkey" PRIMARY KEY ("subject")
);

-- CreateTable
CREATE TABLE "sanctions_lists" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "entry_count" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "loaded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sanctions_lists_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sanctioned_addresses" (
    "list_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "entity" TEXT NOT NULL,

    CONSTRAINT "sanctioned_addresses_pkey" PRIMARY KEY ("list_id","address")
);

-- CreateTable
CREATE TABLE "attestations" (
    "uid" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "format" TEXT NOT NULL,
    "policy" TEXT NOT NULL,
    "policy_id" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "signer" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "chain_id" INTEGER NOT NULL,
    "gatekeeper" TEXT NOT NULL,
    "status" "AttestationStatus" NOT NULL DEFAULT 'active',
    "revoked_at" TIMESTAMPTZ(3),
    "revoke_reason" TEXT,
    "revoke_tx" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "attestations_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "seq" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "tenant_id" UUID,
    "subject" TEXT,
    "attestation_uid" TEXT,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "prev_hash" BYTEA NOT NULL,
    "hash" BYTEA NOT NULL,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "signing_keys" (
    "address" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "key_ref" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "valid_from" TIMESTAMPTZ(3) NOT NULL,
    "valid_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("address")
);

-- CreateIndex
CREATE UNIQUE INDEX "tenants_name_key" ON "tenants"("name");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "sanctions_lists_name_content_hash_key" ON "sanctions_lists"("name", "content_hash");

-- CreateIndex
CREATE INDEX "sanctioned_addresses_address_idx" ON "sanctioned_addresses"("address");

-- CreateIndex
CREATE INDEX "attestations_subject_idx" ON "attestations"("subject");

-- CreateIndex
CREATE INDEX "attestations_tenant_id_created_at_idx" ON "attestations"("tenant_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_hash_key" ON "audit_events"("hash");

-- CreateIndex
CREATE INDEX "audit_events_subject_idx" ON "audit_events"("subject");

-- CreateIndex
CREATE INDEX "audit_events_attestation_uid_idx" ON "audit_events"("attestation_uid");

-- CreateIndex
CREATE INDEX "audit_events_type_created_at_idx" ON "audit_events"("type", "created_at");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sanctioned_addresses" ADD CONSTRAINT "sanctioned_addresses_list_id_fkey" FOREIGN KEY ("list_id") REFERENCES "sanctions_lists"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attestations" ADD CONSTRAINT "attestations_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The audit log is append-only: the database itself refuses to change or remove a row (Prisma cannot express this).
CREATE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "audit_events_no_update_delete"
    BEFORE UPDATE OR DELETE ON "audit_events"
    FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"();

CREATE TRIGGER "audit_events_no_truncate"
    BEFORE TRUNCATE ON "audit_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"();
