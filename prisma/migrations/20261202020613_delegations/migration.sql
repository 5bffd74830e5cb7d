-- Delegations (issue 14): a principal's consent for an agent to act for it in some calls, countersigned by Custos.
-- The delegation is also an attestations row (subject = principal, signature = Custos' countersignature), so it is
-- listed, revoked (`custos revoke <uid>`) and reconciled like an attestation; this table holds the rest of what was
-- signed, so the EIP-712 digest can be rebuilt from what is stored.
CREATE TABLE "delegations" (
    "uid" TEXT NOT NULL,
    "agent" TEXT NOT NULL,
    "permissions" JSONB NOT NULL,
    "spend_cap" TEXT NOT NULL,
    "principal_signature" TEXT NOT NULL,
    CONSTRAINT "delegations_pkey" PRIMARY KEY ("uid"),
    CONSTRAINT "delegations_uid_fkey" FOREIGN KEY ("uid") REFERENCES "attestations"("uid") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "delegations_agent_idx" ON "delegations"("agent");
