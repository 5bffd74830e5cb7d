import { appendAuditEvent } from '../audit/index.js';
import { ensureTenant } from '../auth/index.js';
import type { Database } from '../db/index.js';
import { CustosError } from '../errors/index.js';
import { TenantsAndKeys } from './tenantsAndKeys.js';

/** Serialises bootstraps: two at once must not both find no admin and both create one. */
const BOOTSTRAP_LOCK = 0x626f6f74; // "boot"

/**
 * The first admin key of a deployment, made straight in the database (`custos admin bootstrap` with DATABASE_URL;
 * no service needed). Refused once any admin key that still works exists: from then on admins make keys through
 * the API. The tenant is created if it does not exist.
 */
export async function bootstrapAdmin(db: Database, tenant: string, actor: string) {
  await ensureTenant(db, tenant);
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`;
    const now = new Date();
    const admins = await tx.apiKey.count({
      where: { role: 'admin', revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    });
    if (admins > 0) {
      throw new CustosError(
        'ALREADY_EXISTS',
        `an admin key exists already (${admins}); use it to create more`,
      );
    }
    const { id } = await tx.tenant.findUniqueOrThrow({ where: { name: tenant }, select: { id: true } });
    const created = await new TenantsAndKeys(db).issue(
      tx,
      { tenantId: id, role: 'admin', label: 'bootstrap admin' },
      actor,
    );
    await appendAuditEvent(tx, {
      type: 'admin.bootstrapped',
      actor,
      tenantId: id,
      payload: { apiKeyId: created.apiKey.id, tenant },
    });
    return created;
  });
}
