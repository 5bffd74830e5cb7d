import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RegulatorTokenVerifier, type Role } from '../auth/index.js';
import { CustosError } from '../errors/index.js';
import type { ApiContext } from './context.js';

/** Takes a sane X-Request-Id from the caller (or makes one) and echoes it. */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.header('x-request-id');
  req.id = given && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', req.id);
  next();
}

/**
 * Requires `Authorization: Bearer <api key>` of one of `roles`, then applies the key's rate limit. Failed
 * authentications are throttled per client address (AUTH_FAILURES_PER_MINUTE): once an address has used them up,
 * its requests are answered 429 before any key is looked up, so keys cannot be guessed at speed.
 */
export function authenticate(ctx: ApiContext, roles: readonly Role[]): RequestHandler {
  return async (req, res, next) => {
    const failures = `auth-failures:${req.ip}`;
    const limit = ctx.env.AUTH_FAILURES_PER_MINUTE;
    const blocked = await ctx.rateLimiter.check(failures, limit);
    if (!blocked.allowed) {
      res.setHeader('retry-after', String(blocked.retryAfterSeconds));
      throw new CustosError(
        'RATE_LIMITED',
        `too many failed authentications from this address (${limit} per minute)`,
      );
    }
    const refuse = async (message: string): Promise<never> => {
      await ctx.rateLimiter.take(failures, limit);
      ctx.metrics.authenticationFailures.inc();
      throw new CustosError('UNAUTHENTICATED', message);
    };
    const token = /^Bearer (\S+)$/.exec(req.header('authorization') ?? '')?.[1];
    if (!token) return refuse('an API key is required: Authorization: Bearer <key>');
    const principal =
      ctx.regulatorTokens && RegulatorTokenVerifier.looksLikeJwt(token)
        ? await ctx.regulatorTokens.verify(token)
        : await ctx.apiKeys.verify(token);
    if (!principal) return refuse('the API key or token is not valid');
    if (!roles.includes(principal.role)) {
      throw new CustosError('FORBIDDEN', `this endpoint needs one of the roles ${roles.join(', ')}`);
    }
    await takeToken(ctx, res, principal.keyId, principal.rateLimitPerMinute);
    res.locals.principal = principal;
    next();
  };
}

/** The principal `authenticate` attached. */
export function principalOf(res: Response) {
  const principal = res.locals.principal;
  if (!principal) throw new CustosError('UNAUTHENTICATED', 'an API key is required');
  return principal;
}

/** How the audit log names the caller: `api-key:<id>`, or `jwt:<issuer>:<subject>` for a regulator's token. */
export function actorOf(res: Response): string {
  const { keyId } = principalOf(res);
  return keyId.startsWith('jwt:') ? keyId : `api-key:${keyId}`;
}

/** The tenant of the caller; only API keys have one. */
export function tenantOf(res: Response): string {
  const { tenantId } = principalOf(res);
  if (tenantId === null) throw new CustosError('FORBIDDEN', 'this endpoint needs a tenant API key');
  return tenantId;
}

/**
 * For public endpoints: a token bucket per client address (behind TRUST_PROXY_HOPS proxies), in its own `bucket`
 * so one kind of public traffic cannot use up another's.
 */
export function publicRateLimit(
  ctx: ApiContext,
  bucket = 'public',
  perMinute = ctx.env.RATE_LIMIT_PER_MINUTE,
): RequestHandler {
  return async (req, res, next) => {
    await takeToken(ctx, res, `${bucket}:${req.ip}`, perMinute);
    next();
  };
}

/**
 * For public, credential-free reads that holders' browsers fetch from a dApp's origin (paths, parameters, circuit
 * artifacts): any origin may read them. No cookies or keys are involved, so `*` exposes nothing.
 */
export function publicCors(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('cross-origin-resource-policy', 'cross-origin');
  next();
}

/** Takes one request from `key`'s bucket (shared by every replica), or answers 429 with Retry-After. */
async function takeToken(ctx: ApiContext, res: Response, key: string, perMinute: number): Promise<void> {
  const limit = await ctx.rateLimiter.take(key, perMinute);
  if (!limit.allowed) {
    res.setHeader('retry-after', String(limit.retryAfterSeconds));
    throw new CustosError('RATE_LIMITED', `rate limit of ${perMinute} requests per minute reached`);
  }
}
