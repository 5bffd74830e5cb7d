import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Role } from '@custos/sdk/api';
import type { Database } from '../db/index.js';
import { CustosError } from '../errors/index.js';

export { ROLES, type Role } from '@custos/sdk/api';

export interface Principal {
  /** An API key id, or `jwt:<issuer>:<subject>` for a regulator's token. */
  keyId: string;
  /** The API key's tenant; null for regulators signed in with a token (they are not a tenant). */
  tenantId: string | null;
  role: Role;
  rateLimitPerMinute: number;
  /** The tenants whose audit data this principal may read: its own tenant, or every tenant for admins. */
  readScope: ReadScope;
}

export type ReadScope = 'all-tenants' | string[];

/** `cst_<12 hex prefix>_<43 base64url secret>`: the prefix finds the row, the whole key is only ever stored hashed. */
const KEY_FORMAT = /^cst_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const CACHE_MS = 10_000;

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/** The tenant's id, creating it if needed; safe when called concurrently (upsert is not: it races on the name). */
export async function ensureTenant(db: Database, name: string): Promise<string> {
  await db.tenant.createMany({ data: [{ name }], skipDuplicates: true });
  const tenant = await db.tenant.findUnique({ where: { name }, select: { id: true } });
  // Skipped for a name that differs only in case (tenant names are unique whatever their case).
  if (!tenant)
    throw new CustosError('ALREADY_EXISTS', `a tenant named ${name} in another case already exists`);
  return tenant.id;
}

export interface NewApiKey {
  tenantId: string;
  role: Role;
  label: string;
  rateLimitPerMinute?: number;
  expiresAt?: Date;
  /** The lineage of the key this one succeeds (a rotation); a new key starts its own. */
  lineageId?: string;
  /** The actor creating the key (`api-key:<id>`, `cli:...`). */
  createdBy?: string;
}

/** Creates a key and returns it in clear text: the only time it exists outside its holder's hands. */
export async function createApiKey(
  db: Pick<Database, 'apiKey'>,
  params: NewApiKey,
): Promise<{ id: string; key: string }> {
  const prefix = randomBytes(6).toString('hex');
  const key = `cst_${prefix}_${randomBytes(32).toString('base64url')}`;
  const id = randomUUID();
  const row = await db.apiKey.create({
    data: {
      id,
      lineageId: params.lineageId ?? id,
      createdBy: params.createdBy ?? null,
      tenantId: params.tenantId,
      role: params.role,
      label: params.label,
      prefix,
      hash: new Uint8Array(sha256(key)),
      ...(params.rateLimitPerMinute ? { rateLimitPerMinute: params.rateLimitPerMinute } : {}),
      ...(params.expiresAt ? { expiresAt: params.expiresAt } : {}),
    },
  });
  return { id: row.id, key };
}

/**
 * Checks presented API keys against their stored hashes (constant-time). Verified keys are remembered for ten
 * seconds so the hot path does not query the database on every request: a revoked key stops working within that on
 * every replica, at once on the one that revoked it and wherever the revocation's notification arrives (`forget`),
 * and an expired key at its expiry.
 */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();
  /** Bumped by every forget: a lookup that began before one must not cache what it read. */
  private generation = 0;

  constructor(private readonly db: Database) {}

  async verify(presented: string): Promise<Principal | null> {
    const match = KEY_FORMAT.exec(presented);
    if (!match) return null;
    const digest = sha256(presented);
    const cacheKey = digest.toString('hex');
    const cached = this.cache.get(cacheKey);
    const now = Date.now();
    if (cached && cached.until > now) return cached.principal;

    const generation = this.generation;
    const row = await this.db.apiKey.findUnique({ where: { prefix: match[1]! } });
    if (!row || row.revokedAt || !timingSafeEqual(Buffer.from(row.hash), digest)) return null;
    const expiresAt = row.expiresAt?.getTime() ?? Infinity;
    if (expiresAt <= now) return null;
    const principal: Principal = {
      keyId: row.id,
      tenantId: row.tenantId,
      role: row.role,
      rateLimitPerMinute: row.rateLimitPerMinute,
      readScope: row.role === 'admin' ? 'all-tenants' : [row.tenantId],
    };
    if (generation !== this.generation) return principal;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(cacheKey, { principal, until: Math.min(now + CACHE_MS, expiresAt) });
    return principal;
  }

  /** Drops keys `keyIds` from the cache (revoked or changed): their next use reads the database. */
  forget(...keyIds: string[]): void {
    this.generation++;
    const forgotten = new Set(keyIds);
    for (const [cacheKey, { principal }] of this.cache) {
      if (forgotten.has(principal.keyId)) this.cache.delete(cacheKey);
    }
  }

  /** Drops every cached key (changes may have been missed). */
  forgetAll(): void {
    this.generation++;
    this.cache.clear();
  }
}
