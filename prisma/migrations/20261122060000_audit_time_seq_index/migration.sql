-- Time-range queries first find the sequence numbers a range spans, with an index-only scan of this index.
-- DropIndex
DROP INDEX "audit_events_created_at_idx";

-- CreateIndex
CREATE INDEX "audit_events_created_at_seq_idx" ON "audit_events"("created_at", "seq");
