-- The state a guarded action was requested for (the pause it lifts, the holds it lifts): an approval of a state
-- that has since changed is refused instead of acting on a later incident.
ALTER TABLE "approvals" ADD COLUMN "target_state" TEXT;
