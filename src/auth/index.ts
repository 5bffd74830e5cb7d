// Who is calling: tenants, hashed API keys with roles, per-key rate limits.
export {
  ApiKeyVerifier,
  createApiKey,
  ensureTenant,
  type Principal,
  type ReadScope,
  type Role,
} from './apiKeys.js';
export { RateLimiter } from './rateLimiter.js';
export { RegulatorTokenVerifier, type RegulatorTokenOptions } from './regulatorTokens.js';
