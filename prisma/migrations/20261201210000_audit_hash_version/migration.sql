-- Which rule hashed each audit event. Events already written were hashed by version 1 (Custos 0.1); every event
-- written from now on names its version (2: RFC 8785 canonical JSON of exactly the stored payload, the version
-- included). Adding a column with a default rewrites no row, so the append-only trigger is not involved.
ALTER TABLE "audit_events" ADD COLUMN "hash_version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "audit_events" ALTER COLUMN "hash_version" SET DEFAULT 2;
