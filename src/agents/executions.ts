import { createHash } from 'node:crypto';
import type { ReadScope } from '../auth/index.js';
import type { AgentExecution, Database } from '../db/index.js';
import { CustosError } from '../errors/index.js';
import type { CallerChecks } from './callerChecks.js';
import { reasonText, refusalDetails } from './executionGate.js';
import { auditExecution } from './views.js';

/** The executor asking: its API key and its tenant (it sees only its tenant's executions). */
export interface Executor {
  keyId: string;
  tenantId: string;
  actor: string;
}

export interface ExecutionOutcome {
  /** The claim number the claim answered with: the lease token (one key may hold several claims over time). */
  claim: number;
  status: 'succeeded' | 'failed';
  units: number;
  output?: string;
}

/** Callers refused at claim time before one claim gives up (answering "nothing waiting"): bounds one request's work. */
const MAX_REFUSED_PER_CLAIM = 20;

/**
 * Executors' side of the gate. A claim leases the tenant's oldest queued execution, or one whose lease expired, with
 * `FOR UPDATE SKIP LOCKED` (two executors never get the same one; neither waits for the other), and audits the claim
 * in the same transaction. The caller is then checked again (a revocation or hold since pickup refuses it, and the
 * next one is tried). A result is accepted from the claimant only, while its lease runs, once: one conditional
 * UPDATE decides, so two results racing cannot both land. Lease times come from PostgreSQL's clock, shared by every
 * replica.
 */
export class Executions {
  constructor(
    private readonly db: Database,
    private readonly checks: CallerChecks,
  ) {}

  async claim(executor: Executor, leaseSeconds: number): Promise<AgentExecution | null> {
    for (let refused = 0; refused < MAX_REFUSED_PER_CLAIM; refused++) {
      const leased = await this.lease(executor, leaseSeconds);
      if (!leased) return null;
      const refusal = await this.checkOrRelease(executor, leased);
      if (!refusal) {
        const confirmed = await this.confirm(executor, leased, leaseSeconds);
        if (confirmed) return confirmed;
        continue; // the checks outlasted the lease and someone else holds it now
      }
      await this.db.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ id: string }[]>`
          UPDATE agent_executions
             SET status = 'refused', reason_code = ${refusal.code}, reason = ${reasonText(refusal)},
                 lease_expires_at = NULL, finished_at = now()
           WHERE id = ${leased.id}::uuid AND status = 'leased' AND claimed_by = ${executor.keyId}
          RETURNING id`;
        if (rows.length === 0) return; // the lease ran out meanwhile: whoever holds it now decides
        await auditExecution(tx, leased.id, {
          type: 'agent_execution.refused',
          actor: executor.actor,
          details: refusalDetails(refusal, 'claim'),
        });
      });
    }
    return null;
  }

  /**
   * Why the leased execution may not run, checked again now. A check that cannot be made (the chain unreachable)
   * puts the execution back in the queue before the error goes to the executor: it is decided at the next claim,
   * not held by a lease nobody can use.
   */
  private async checkOrRelease(executor: Executor, leased: AgentExecution) {
    try {
      const config = await this.db.agentConfig.findUnique({ where: { agentId: leased.agentId } });
      return config && config.tenantId === executor.tenantId
        ? await this.checks.refusal(leased, config)
        : {
            code: 'AGENT_NOT_CONFIGURED' as const,
            reason: 'the agent is no longer configured for this tenant',
          };
    } catch (error) {
      await this.release(executor, leased, error);
      throw error;
    }
  }

  private async release(executor: Executor, leased: AgentExecution, error: unknown): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`
        UPDATE agent_executions SET status = 'queued', claimed_by = NULL, lease_expires_at = NULL
         WHERE id = ${leased.id}::uuid AND status = 'leased' AND claimed_by = ${executor.keyId}
           AND claims = ${leased.claims}
        RETURNING id`;
      if (rows.length === 0) return;
      await auditExecution(tx, leased.id, {
        type: 'agent_execution.released',
        actor: executor.actor,
        details: {
          claim: leased.claims,
          code: error instanceof CustosError ? error.code : 'INTERNAL',
        },
      });
    });
  }

  /**
   * The lease, restarted now that the checks passed (they read the chain: their time must not come out of the
   * executor's lease); null when it ran out meanwhile and another claim took the execution.
   */
  private async confirm(
    executor: Executor,
    leased: AgentExecution,
    leaseSeconds: number,
  ): Promise<AgentExecution | null> {
    const [row] = await this.db.$queryRaw<{ lease_expires_at: Date }[]>`
      UPDATE agent_executions SET lease_expires_at = now() + make_interval(secs => ${leaseSeconds})
       WHERE id = ${leased.id}::uuid AND status = 'leased' AND claimed_by = ${executor.keyId}
         AND claims = ${leased.claims}
      RETURNING lease_expires_at`;
    return row ? { ...leased, leaseExpiresAt: row.lease_expires_at } : null;
  }

  /** Leases the next execution and audits the claim; null when nothing of the tenant's waits. */
  private lease(executor: Executor, leaseSeconds: number): Promise<AgentExecution | null> {
    return this.db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<
        { id: string; claims: number; lease_expires_at: Date; previous: string | null }[]
      >`
        WITH next AS (
          SELECT id, claimed_by AS previous FROM agent_executions
           WHERE tenant_id = ${executor.tenantId}::uuid
             AND (status = 'queued' OR (status = 'leased' AND lease_expires_at <= now()))
           ORDER BY block_number, log_index
           LIMIT 1
           FOR UPDATE SKIP LOCKED)
        UPDATE agent_executions e
           SET status = 'leased', claimed_by = ${executor.keyId},
               lease_expires_at = now() + make_interval(secs => ${leaseSeconds}), claims = e.claims + 1
          FROM next WHERE e.id = next.id
        RETURNING e.id, e.claims, e.lease_expires_at, next.previous`;
      const [leased] = rows;
      if (!leased) return null;
      return auditExecution(tx, leased.id, {
        type: 'agent_execution.claimed',
        actor: executor.actor,
        details: {
          claim: leased.claims,
          leaseExpiresAt: leased.lease_expires_at.toISOString(),
          // A claim after an expired lease says whose lease it was.
          previousClaimant: leased.previous,
        },
      });
    });
  }

  async report(executor: Executor, id: string, outcome: ExecutionOutcome): Promise<AgentExecution> {
    const finished = await this.db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`
        UPDATE agent_executions
           SET status = ${outcome.status}, units = ${BigInt(outcome.units)}, output = ${outcome.output ?? null},
               lease_expires_at = NULL, finished_at = now()
         WHERE id = ${id}::uuid AND tenant_id = ${executor.tenantId}::uuid
           AND status = 'leased' AND claimed_by = ${executor.keyId} AND claims = ${outcome.claim}
           AND lease_expires_at > now()
        RETURNING id`;
      if (rows.length === 0) return null;
      return auditExecution(tx, id, {
        type: 'agent_execution.result',
        actor: executor.actor,
        details: {
          status: outcome.status,
          units: String(outcome.units),
          outputSha256:
            outcome.output === undefined ? null : createHash('sha256').update(outcome.output).digest('hex'),
        },
      });
    });
    if (finished) return finished;
    throw await this.whyNotReported(executor, id, outcome.claim);
  }

  /** The refusal of a result that did not land: NOT_FOUND for another tenant's, as for none at all. */
  private async whyNotReported(executor: Executor, id: string, claim: number): Promise<CustosError> {
    const row = await this.db.agentExecution.findUnique({ where: { id } });
    if (!row || row.tenantId !== executor.tenantId) return new CustosError('NOT_FOUND', `no execution ${id}`);
    if (['succeeded', 'failed', 'refused'].includes(row.status)) {
      return new CustosError('EXECUTION_FINISHED', `execution ${id} is already ${row.status}`);
    }
    return new CustosError(
      'LEASE_NOT_HELD',
      row.status === 'queued' || row.claimedBy !== executor.keyId
        ? `execution ${id} is not leased to this executor`
        : row.claims !== claim
          ? `claim ${claim} of execution ${id} was superseded by claim ${row.claims}`
          : `the lease on execution ${id} expired; claim again`,
    );
  }

  async list(
    scope: ReadScope,
    filter: { agentId?: string; caller?: string; status?: string; limit: number },
  ): Promise<AgentExecution[]> {
    return this.db.agentExecution.findMany({
      where: {
        ...(scope === 'all-tenants' ? {} : { tenantId: { in: scope } }),
        agentId: filter.agentId,
        caller: filter.caller,
        status: filter.status,
      },
      orderBy: [{ blockNumber: 'desc' }, { logIndex: 'desc' }],
      take: filter.limit,
    });
  }
}
