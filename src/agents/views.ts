import type { executionView } from '@custos/sdk/api';
import type { z } from 'zod';
import { appendAuditEvent, type AuditEventType, type Transaction } from '../audit/index.js';
import type { AgentExecution } from '../db/index.js';

export type ExecutionView = z.input<typeof executionView>;

/** An execution as the API answers with it (never its output text, which only the executor and audit hash know). */
export function executionViewOf(row: AgentExecution): ExecutionView {
  return {
    id: row.id,
    agentId: row.agentId,
    requestId: row.requestId,
    caller: row.caller,
    taskHash: row.taskHash,
    attestationUid: row.attestationUid,
    registry: row.registry,
    txHash: row.txHash,
    blockNumber: Number(row.blockNumber),
    requestedAt: row.requestedAt.toISOString(),
    decidedAt: row.decidedAt.toISOString(),
    status: row.status as ExecutionView['status'],
    reasonCode: row.reasonCode,
    reason: row.reason,
    leaseExpiresAt: row.leaseExpiresAt?.toISOString() ?? null,
    claims: row.claims,
    units: row.units === null ? null : String(row.units),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/**
 * Audits what just happened to execution `id`, inside the transaction that did it: every event names the
 * execution, its request on-chain, the caller (subject), the owner tenant and the caller's attestation.
 */
export async function auditExecution(
  tx: Transaction,
  id: string,
  event: { type: AuditEventType; actor: string; details?: Record<string, unknown> },
): Promise<AgentExecution> {
  const row = await tx.agentExecution.findUniqueOrThrow({ where: { id } });
  await appendAuditEvent(tx, {
    type: event.type,
    actor: event.actor,
    tenantId: row.tenantId,
    subject: row.caller,
    attestationUid: row.attestationUid,
    payload: {
      executionId: row.id,
      agentId: row.agentId,
      requestId: row.requestId,
      registry: row.registry,
      txHash: row.txHash,
      blockNumber: String(row.blockNumber),
      taskHash: row.taskHash,
      ...event.details,
    },
  });
  return row;
}
