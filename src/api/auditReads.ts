import type { Response } from 'express';
import { recordAuditEvent } from '../audit/index.js';
import { withDatabase } from '../errors/index.js';
import type { ApiContext } from './context.js';
import { actorOf, principalOf } from './middleware.js';

/**
 * Records that the caller read audit data (`audit.read`) or was refused it (`audit.denied`): who looked at what,
 * never what they saw. Every route that returns audit events, or an attestation's audit trail, calls this first.
 */
export function recordAuditRead(
  ctx: ApiContext,
  res: Response,
  type: 'audit.read' | 'audit.denied',
  action: string,
  filters: object,
) {
  return withDatabase(() =>
    recordAuditEvent(ctx.db, {
      type,
      actor: actorOf(res),
      tenantId: principalOf(res).tenantId,
      payload: { action, filters },
    }),
  );
}
