-- Tenant names are unique whatever their case: `DEV` is refused while `dev` exists (one tenant, one name, however
-- an operator types it). Fails if a deployment already has two names that differ only in case: rename one first.
CREATE UNIQUE INDEX "tenants_name_lower_key" ON "tenants"(lower("name"));
