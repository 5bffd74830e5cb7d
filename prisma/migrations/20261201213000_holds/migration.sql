-- Holds: revoking a subject holds it, so screening refuses it until an officer lifts the hold or its KYC record is
-- re-approved after the hold. A hold belongs to the tenant whose officer placed it (null: every tenant, placed by
-- an admin); at most one active hold per subject and tenant.
CREATE TABLE "holds" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "subject" TEXT NOT NULL,
    "tenant_id" UUID,
    "reason" TEXT NOT NULL,
    "placed_by" TEXT NOT NULL,
    "placed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lifted_at" TIMESTAMPTZ(3),
    "lifted_by" TEXT,
    "lift_reason" TEXT,

    CONSTRAINT "holds_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "holds_subject_idx" ON "holds"("subject");

-- Prisma cannot express a partial unique index over an expression: one active hold per subject and tenant.
CREATE UNIQUE INDEX "holds_one_active_per_tenant" ON "holds"
    ("subject", COALESCE("tenant_id", '00000000-0000-0000-0000-000000000000'::uuid)) WHERE "lifted_at" IS NULL;

ALTER TABLE "holds" ADD CONSTRAINT "holds_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
