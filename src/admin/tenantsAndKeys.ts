import type { apiKeyView, createApiKeyRequest, Role } from '@custos/sdk/api';
import type { z } from 'zod';
import { appendAuditEvent, type Transaction } from '../audit/index.js';
import { createApiKey, type NewApiKey } from '../auth/index.js';
import type { Database } from '../db/index.js';
import { CustosError, causes } from '../errors/index.js';

export type ApiKeyView = z.output<typeof apiKeyView>;

type KeyRow = NonNullable<Awaited<ReturnType<Database['apiKey']['findFirst']>>> & {
  tenant: { name: string };
};

function view(row: KeyRow): ApiKeyView {
  return {
    id: row.id,
    prefix: row.prefix,
    tenant: row.tenant.name,
    tenantId: row.tenantId,
    role: row.role as Role,
    label: row.label,
    rateLimitPerMinute: row.rateLimitPerMinute,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

const withTenant = { tenant: { select: { name: true } } } as const;

/**
 * Tenants and their API keys, managed by admins (`custos tenants ...`, `custos api-keys ...`) and, for the very first
 * admin key, by `custos admin bootstrap`. Every change is audited; secrets exist only in the answer that creates them.
 */
export class TenantsAndKeys {
  /**
   * `keysChanged` hears the ids of keys revoked or shortened once their change is committed: this process's cache
   * drops them before the answer leaves (other replicas hear the database's notification).
   */
  constructor(
    private readonly db: Database,
    private readonly keysChanged: (keyIds: string[]) => void = () => {},
  ) {}

  async createTenant(name: string, actor: string) {
    try {
      return await this.db.$transaction(async (tx) => {
        const tenant = await tx.tenant.create({ data: { name } });
        await appendAuditEvent(tx, { type: 'tenant.created', actor, tenantId: tenant.id, payload: { name } });
        return { id: tenant.id, name, createdAt: tenant.createdAt.toISOString(), apiKeys: 0 };
      });
    } catch (error) {
      if (
        [...causes(error)].some(
          (c) => (c as { code?: string }).code === 'P2002' || (c as { code?: string }).code === '23505',
        )
      ) {
        throw new CustosError('ALREADY_EXISTS', `a tenant named ${name} already exists`);
      }
      throw error;
    }
  }

  async listTenants() {
    const rows = await this.db.tenant.findMany({
      orderBy: { name: 'asc' },
      include: { _count: { select: { apiKeys: true } } },
    });
    return rows.map((t) => ({
      id: t.id,
      name: t.name,
      createdAt: t.createdAt.toISOString(),
      apiKeys: t._count.apiKeys,
    }));
  }

  async createKey(request: z.output<typeof createApiKeyRequest>, actor: string) {
    const tenant = await this.tenantNamed(request.tenant);
    return this.db.$transaction((tx) => this.issue(tx, { ...request, tenantId: tenant.id }, actor));
  }

  async listKeys(tenantName: string | undefined): Promise<ApiKeyView[]> {
    const tenantId = tenantName ? (await this.tenantNamed(tenantName)).id : undefined;
    const rows = await this.db.apiKey.findMany({
      where: tenantId ? { tenantId } : {},
      orderBy: { createdAt: 'asc' },
      include: withTenant,
    });
    return rows.map(view);
  }

  /**
   * Revokes key `id` and every other live key of its lineage: a revoked key never leaves a working successor (nor a
   * predecessor still in its rotation's overlap) behind.
   */
  async revokeKey(id: string, actor: string): Promise<ApiKeyView> {
    const { revoked, lineage } = await this.db.$transaction(async (tx) => {
      const row = await this.liveKey(tx, id);
      const live = await tx.apiKey.findMany({
        where: { lineageId: row.lineageId, revokedAt: null, NOT: { id } },
        select: { id: true },
      });
      await tx.apiKey.updateMany({
        where: { lineageId: row.lineageId, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      await appendAuditEvent(tx, {
        type: 'api_key.revoked',
        actor,
        tenantId: row.tenantId,
        payload: { apiKeyId: id, role: row.role, label: row.label, lineage: live.map((k) => k.id) },
      });
      const revoked = view(await tx.apiKey.findUniqueOrThrow({ where: { id }, include: withTenant }));
      return { revoked, lineage: live.map((k) => k.id) };
    });
    this.keysChanged([id, ...lineage]);
    return revoked;
  }

  /** A new key with the old one's tenant, role, label and rate; the old one works until the overlap ends. */
  async rotateKey(id: string, overlapSeconds: number, actor: string) {
    const rotated = await this.db.$transaction(async (tx) => {
      const old = await this.liveKey(tx, id);
      const overlapEnd = new Date(Date.now() + overlapSeconds * 1000);
      const expiresAt = old.expiresAt && old.expiresAt < overlapEnd ? old.expiresAt : overlapEnd;
      const previous = await tx.apiKey.update({ where: { id }, data: { expiresAt }, include: withTenant });
      // The successor is the same credential with a new secret: same lineage, and never a longer life.
      const created = await this.issue(
        tx,
        {
          tenantId: old.tenantId,
          role: old.role as Role,
          label: old.label,
          rateLimitPerMinute: old.rateLimitPerMinute,
          lineageId: old.lineageId,
          ...(old.expiresAt ? { expiresAt: old.expiresAt } : {}),
        },
        actor,
      );
      await appendAuditEvent(tx, {
        type: 'api_key.rotated',
        actor,
        tenantId: old.tenantId,
        payload: { previous: id, current: created.apiKey.id, oldKeyWorksUntil: expiresAt },
      });
      return { ...created, previous: view(previous) };
    });
    this.keysChanged([id]);
    return rotated;
  }

  /** Creates a key inside `tx` and audits it (never the secret). */
  async issue(tx: Transaction, params: Omit<NewApiKey, 'createdBy'>, actor: string) {
    const { id, key } = await createApiKey(tx, { ...params, createdBy: actor });
    const row = await tx.apiKey.findUniqueOrThrow({ where: { id }, include: withTenant });
    await appendAuditEvent(tx, {
      type: 'api_key.created',
      actor,
      tenantId: params.tenantId,
      payload: { apiKeyId: id, role: params.role, label: params.label, expiresAt: params.expiresAt ?? null },
    });
    return { apiKey: view(row), key };
  }

  private async tenantNamed(name: string) {
    const tenant = await this.db.tenant.findUnique({ where: { name } });
    if (!tenant) throw new CustosError('NOT_FOUND', `no tenant named ${name}`);
    return tenant;
  }

  /**
   * Key `id` if it is neither revoked nor expired, with its lineage locked for the rest of `tx`: revocations and
   * rotations of one lineage take turns, so a key revoked meanwhile gets no successor.
   */
  private async liveKey(tx: Transaction, id: string) {
    const found = await tx.apiKey.findUnique({ where: { id }, select: { lineageId: true } });
    if (!found) throw new CustosError('NOT_FOUND', `API key ${id} not found`);
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`api-key-lineage:${found.lineageId}`}))`;
    // Read again under the lock: what a revocation or rotation that held it changed.
    const row = await tx.apiKey.findUniqueOrThrow({ where: { id } });
    if (row.revokedAt || (row.expiresAt && row.expiresAt <= new Date())) {
      throw new CustosError('ALREADY_REVOKED', `API key ${id} is already revoked or expired`);
    }
    return row;
  }
}
