-- Zero-knowledge credentials: the issued leaves, the issuance and revocation trees' non-empty nodes, and the
-- issuance roots with their signatures and on-chain submissions.

-- CreateTable
CREATE TABLE "zk_credentials" (
    "id" INTEGER NOT NULL,
    "uid" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "subject" TEXT NOT NULL,
    "policy" TEXT NOT NULL,
    "identity_commitment" TEXT NOT NULL,
    "leaf" TEXT NOT NULL,
    "country" INTEGER NOT NULL,
    "birth_ymd" INTEGER NOT NULL,
    "accredited" BOOLEAN NOT NULL,
    "risk_tier" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "AttestationStatus" NOT NULL DEFAULT 'active',
    "revoked_at" TIMESTAMPTZ(3),
    "revoke_reason" TEXT,
    "revocation_epoch" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "zk_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "zk_tree_nodes" (
    "tree" TEXT NOT NULL,
    "level" INTEGER NOT NULL,
    "idx" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "zk_tree_nodes_pkey" PRIMARY KEY ("tree","level","idx")
);

-- CreateTable
CREATE TABLE "zk_issuance_roots" (
    "root" TEXT NOT NULL,
    "leaf_count" INTEGER NOT NULL,
    "issued_at" BIGINT,
    "signer" TEXT,
    "signature" TEXT,
    "tx_hash" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "zk_issuance_roots_pkey" PRIMARY KEY ("root")
);

-- CreateIndex
CREATE UNIQUE INDEX "zk_credentials_uid_key" ON "zk_credentials"("uid");

-- CreateIndex
CREATE INDEX "zk_credentials_subject_idx" ON "zk_credentials"("subject");

-- CreateIndex
CREATE INDEX "zk_credentials_identity_commitment_policy_idx" ON "zk_credentials"("identity_commitment", "policy");

-- CreateIndex
CREATE UNIQUE INDEX "zk_issuance_roots_leaf_count_key" ON "zk_issuance_roots"("leaf_count");

-- AddForeignKey
ALTER TABLE "zk_credentials" ADD CONSTRAINT "zk_credentials_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
