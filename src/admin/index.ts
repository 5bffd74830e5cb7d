// Tenants and API keys, for admins and for bootstrapping the first admin key.
export { TenantsAndKeys, type ApiKeyView } from './tenantsAndKeys.js';
export { bootstrapAdmin } from './bootstrap.js';
