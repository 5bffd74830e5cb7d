-- Signed checkpoints of the audit log's head: between on-chain anchors, they are what makes a truncated or
-- recomputed tail detectable. Append-only like the log itself.
CREATE TABLE "audit_checkpoints" (
    "seq" BIGINT NOT NULL,
    "head_hash" BYTEA NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "chain_id" INTEGER NOT NULL,
    "gatekeeper" TEXT NOT NULL,
    "signer" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "anchor_batch" INTEGER,

    CONSTRAINT "audit_checkpoints_pkey" PRIMARY KEY ("seq")
);

CREATE FUNCTION "append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "audit_checkpoints_no_update_delete"
    BEFORE UPDATE OR DELETE ON "audit_checkpoints"
    FOR EACH ROW EXECUTE FUNCTION "append_only"();

CREATE TRIGGER "audit_checkpoints_no_truncate"
    BEFORE TRUNCATE ON "audit_checkpoints"
    FOR EACH STATEMENT EXECUTE FUNCTION "append_only"();
