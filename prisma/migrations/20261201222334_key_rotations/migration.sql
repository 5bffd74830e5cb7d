-- A signing-key rotation is a plan and its progress, committed before its first chain write, so a crash between the
-- chain writes and the final database commit leaves a state that start-up or a retry completes:
-- staged -> trusted-on-chain -> old-window-cut -> active. The new key waits in signing_keys with status 'staged'.
-- CreateTable
CREATE TABLE "key_rotations" (
    "id" BIGSERIAL NOT NULL,
    "previous_address" TEXT NOT NULL,
    "next_address" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "overlap_ends_at" TIMESTAMPTZ(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "key_rotations_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "key_rotations_state_check" CHECK ("state" IN ('staged', 'trusted-on-chain', 'old-window-cut', 'active'))
);

-- At most one rotation under way (Prisma's schema cannot declare a partial index).
-- CreateIndex
CREATE UNIQUE INDEX "key_rotations_one_under_way" ON "key_rotations" ((true)) WHERE "state" <> 'active';
