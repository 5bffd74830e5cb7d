-- Action-bound attestations (issue 14): the one call an attestation is for (target contract, function selector,
-- keccak256 of the ABI-encoded arguments). All three or none: a row without them is a record attestation.
ALTER TABLE "attestations" ADD COLUMN "action_target" TEXT;
ALTER TABLE "attestations" ADD COLUMN "action_selector" TEXT;
ALTER TABLE "attestations" ADD COLUMN "action_args_hash" TEXT;
ALTER TABLE "attestations" ADD CONSTRAINT "attestations_action_complete" CHECK (
    ("action_target" IS NULL) = ("action_selector" IS NULL) AND ("action_target" IS NULL) = ("action_args_hash" IS NULL)
);
