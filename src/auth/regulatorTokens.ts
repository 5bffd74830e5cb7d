import { createRemoteJWKSet, importSPKI, jwtVerify, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import type { Principal, ReadScope } from './apiKeys.js';

export interface RegulatorTokenOptions {
  /** The identity provider's JWKS endpoint, or its public key (PEM, SPKI). */
  jwksUrl?: string;
  publicKeyPem?: string;
  issuer: string;
  audience: string;
  /** The only algorithms accepted: never `none`, never HMAC with a public key. */
  algorithms: string[];
  /** Oldest `iat` accepted, in seconds. */
  maxTokenAgeSeconds: number;
  rateLimitPerMinute: number;
}

/** Optional claim limiting a regulator to some tenants (an array of tenant ids); without it, every tenant. */
export const TENANTS_CLAIM = 'custos_tenants';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Regulators may sign in with JWTs from their identity provider instead of an API key. A token is accepted only when
 * its signature verifies under the configured key with an allow-listed algorithm, and its issuer, audience, expiry
 * and age check out (30 s of clock tolerance). It yields a read-only regulator principal named after `sub`.
 */
export class RegulatorTokenVerifier {
  private constructor(
    private readonly key: CryptoKey | JWTVerifyGetKey,
    private readonly options: RegulatorTokenOptions,
  ) {}

  static async create(options: RegulatorTokenOptions): Promise<RegulatorTokenVerifier> {
    const key = options.jwksUrl
      ? createRemoteJWKSet(new URL(options.jwksUrl))
      : await importSPKI(options.publicKeyPem!, options.algorithms[0]!);
    return new RegulatorTokenVerifier(key, options);
  }

  static looksLikeJwt(token: string): boolean {
    return JWT_SHAPE.test(token);
  }

  /** The regulator principal, or null for any token that does not verify. */
  async verify(token: string): Promise<Principal | null> {
    try {
      const { payload } = await jwtVerify(token, this.key as CryptoKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.options.algorithms,
        maxTokenAge: this.options.maxTokenAgeSeconds,
        clockTolerance: 30,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      return {
        keyId: `jwt:${payload.iss}:${payload.sub}`,
        tenantId: null,
        role: 'regulator',
        rateLimitPerMinute: this.options.rateLimitPerMinute,
        readScope: readScopeOf(payload[TENANTS_CLAIM]),
      };
    } catch {
      return null;
    }
  }
}

/** A malformed tenants claim scopes the token to nothing rather than to everything. */
function readScopeOf(claim: unknown): ReadScope {
  if (claim === undefined) return 'all-tenants';
  return Array.isArray(claim) ? claim.filter((t): t is string => typeof t === 'string') : [];
}
