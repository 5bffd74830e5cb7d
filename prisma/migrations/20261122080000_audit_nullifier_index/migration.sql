-- The chain indexer links an on-chain ProofAccepted to the custodial groth16 attestation that made the proof, by its
-- nullifier. An expression index (Prisma's schema cannot declare one; schema.prisma has no column change here).
-- CreateIndex
CREATE INDEX "audit_events_nullifier_idx" ON "audit_events" ((payload->>'nullifier')) WHERE type = 'attestation.issued';
