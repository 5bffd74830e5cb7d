-- The emergency stop (`custos emergency pause|unpause`): one row every replica reads, notified on change. `paused`
-- is what officers decided; the gatekeeper's own switch follows it (chain_* says how far it got).
CREATE TABLE "emergency_state" (
    "id" BOOLEAN NOT NULL DEFAULT true,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "reason_code" TEXT,
    "reason" TEXT,
    "changed_by" TEXT,
    "changed_at" TIMESTAMPTZ(3),
    "chain_paused" BOOLEAN,
    "chain_tx" TEXT,
    "chain_error" TEXT,

    CONSTRAINT "emergency_state_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "emergency_state_one_row" CHECK ("id")
);

INSERT INTO "emergency_state" ("id") VALUES (true);

CREATE TRIGGER "emergency_state_notify" AFTER UPDATE ON "emergency_state"
    FOR EACH ROW EXECUTE FUNCTION "custos_notify_change"('custos_emergency', 'paused');
