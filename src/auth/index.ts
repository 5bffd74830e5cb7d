// Who is calling: tenants, hashed API keys with roles, rate limits shared by every replica.
export {
  ApiKeyVerifier,
  createApiKey,
  ensureTenant,
  type NewApiKey,
  type Principal,
  type ReadScope,
  type Role,
} from './apiKeys.js';
export { keyHolderLive, sameKeyHolder } from './keyLineage.js';
export { PgRateLimiter, type PgRateLimiterOptions } from './pgRateLimiter.js';
export { MemoryRateLimiter, type RateLimiter, type RateLimitVerdict } from './rateLimiter.js';
export { RegulatorTokenVerifier, type RegulatorTokenOptions } from './regulatorTokens.js';
