import {
  UnsecuredJWT,
  createRemoteJWKSet,
  errors,
  importSPKI,
  jwtVerify,
  type CryptoKey,
  type JWTClaimVerificationOptions,
  type JWTVerifyGetKey,
  type RemoteJWKSetOptions,
} from 'jose';
import { CustosError } from '../errors/index.js';
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
  /** Overrides {@link JWKS_CACHE} (tests). */
  jwksCache?: Partial<typeof JWKS_CACHE>;
}

/**
 * How the identity provider's keys are fetched and kept, set deliberately rather than left to jose's defaults (which
 * are the same values today). Keys fetched are used for `cacheMaxAge` without asking the provider again, so a
 * provider that is down for less than that costs nothing; after it, a token waits for a successful fetch (503 while
 * the provider is down). A token whose `kid` the cached set lacks makes jose fetch again (the provider rotated), at
 * most once per `cooldownDuration`. A fetch slower than `timeoutDuration` fails.
 */
export const JWKS_CACHE = {
  cacheMaxAge: 10 * 60_000,
  cooldownDuration: 30_000,
  timeoutDuration: 5_000,
} satisfies RemoteJWKSetOptions;

/** Optional claim limiting a regulator to some tenants (an array of tenant ids); without it, every tenant. */
export const TENANTS_CLAIM = 'custos_tenants';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const UNSECURED_HEADER = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');

/** The identity provider's keys could not be had: the token may be good, nobody can tell now. */
class KeysUnavailable extends Error {}

/**
 * Regulators may sign in with JWTs from their identity provider instead of an API key. A token is accepted only when
 * its signature verifies under the configured key with an allow-listed algorithm, and its issuer, audience, expiry
 * and age check out (30 s of clock tolerance). It yields a read-only regulator principal named after `sub`.
 * An identity provider that cannot be reached is 503 IDENTITY_PROVIDER_UNAVAILABLE, not a refusal: only tokens that
 * are bad whoever's key they need (their algorithm, issuer, audience, expiry or age) are still 401 during an outage.
 */
export class RegulatorTokenVerifier {
  private readonly claims: JWTClaimVerificationOptions;

  private constructor(
    private readonly key: CryptoKey | JWTVerifyGetKey,
    private readonly options: RegulatorTokenOptions,
  ) {
    this.claims = {
      issuer: options.issuer,
      audience: options.audience,
      maxTokenAge: options.maxTokenAgeSeconds,
      clockTolerance: 30,
      requiredClaims: ['sub', 'exp', 'iat'],
    };
  }

  static async create(options: RegulatorTokenOptions): Promise<RegulatorTokenVerifier> {
    const key = options.jwksUrl
      ? remoteKeys(options.jwksUrl, { ...JWKS_CACHE, ...options.jwksCache })
      : await importSPKI(options.publicKeyPem!, options.algorithms[0]!);
    return new RegulatorTokenVerifier(key, options);
  }

  static looksLikeJwt(token: string): boolean {
    return JWT_SHAPE.test(token);
  }

  /** The regulator principal, or null for any token that does not verify; throws while the keys cannot be had. */
  async verify(token: string): Promise<Principal | null> {
    try {
      const { payload } = await jwtVerify(token, this.key as CryptoKey, {
        ...this.claims,
        algorithms: this.options.algorithms,
      });
      return {
        keyId: `jwt:${payload.iss}:${payload.sub}`,
        tenantId: null,
        role: 'regulator',
        rateLimitPerMinute: this.options.rateLimitPerMinute,
        readScope: readScopeOf(payload[TENANTS_CLAIM]),
      };
    } catch (error) {
      if (!(error instanceof KeysUnavailable) || !this.claimsHold(token)) return null;
      throw new CustosError(
        'IDENTITY_PROVIDER_UNAVAILABLE',
        "the identity provider's signing keys cannot be fetched; retry shortly",
        undefined,
        { cause: error.cause },
      );
    }
  }

  /**
   * Whether the token's claims pass every check but the signature, judged by jose itself: the payload is re-read
   * as an unsecured JWT with the same claim options. Only ever used to refuse, never to accept.
   */
  private claimsHold(token: string): boolean {
    try {
      UnsecuredJWT.decode(`${UNSECURED_HEADER}.${token.split('.')[1]}.`, this.claims);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * jose's remote key set, with failures to get the keys (unreachable, timed out, not 200, not a key set) told apart
 * from what is wrong with the token (no key for its `kid` or algorithm).
 */
function remoteKeys(url: string, cache: RemoteJWKSetOptions): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(url), cache);
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      const aboutTheToken =
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSENotSupported;
      if (aboutTheToken) throw error;
      throw new KeysUnavailable('the JWKS endpoint could not be read', { cause: error });
    }
  };
}

/** A malformed tenants claim scopes the token to nothing rather than to everything. */
function readScopeOf(claim: unknown): ReadScope {
  if (claim === undefined) return 'all-tenants';
  return Array.isArray(claim) ? claim.filter((t): t is string => typeof t === 'string') : [];
}
