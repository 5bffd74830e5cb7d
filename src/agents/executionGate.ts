import { withTryAdvisoryLock, type AgentConfig, type Database } from '../db/index.js';
import type { CallerChecks, ExecutionRequest, Refusal } from './callerChecks.js';
import { auditExecution } from './views.js';

/** One gate at a time across every Custos process; any constant shared by them. */
const GATE_LOCK = 0x67617465; // "gate"
/** The chain indexer's cursor (src/reconcile/chainIndexer.ts): how far chain_events is complete. */
const INDEX_CURSOR = 'contracts';
const BATCH = 100;

interface IndexedRequest {
  block_number: bigint;
  block_time: Date;
  tx_hash: string;
  log_index: number;
  attestation_uid: string | null;
  args: { agentId: string; requestId: string; caller: string; taskHash: string };
}

/**
 * The off-chain execution gate. It follows the ExecutionRequested events the reorg-safe chain indexer stored, once
 * they are `confirmations` blocks below the indexed head, and decides each exactly once: authorised (queued for the
 * owner tenant's executors) or refused with a reason code, audited in the same transaction as the row. A request
 * indexed again (after a rewind, or by a second process) finds its row and is skipped: the unique (registry,
 * request id) makes a second execution impossible.
 */
export class ExecutionGate {
  constructor(
    private readonly deps: {
      db: Database;
      checks: CallerChecks;
      /** The AgentRegistry whose events are followed. */
      registry: string;
      /** Blocks an event must be below the indexed head before it is picked up (0: as soon as it is indexed). */
      confirmations: number;
    },
  ) {}

  /** Decides every confirmed request not decided yet; null when another process is doing it. */
  async pickUp(): Promise<number | null> {
    return withTryAdvisoryLock(this.deps.db, GATE_LOCK, async () => {
      let decided = 0;
      for (;;) {
        const requests = await this.undecided();
        for (const request of requests) {
          await this.decide(request);
          decided++;
        }
        if (requests.length < BATCH) return decided;
      }
    });
  }

  private async undecided(): Promise<IndexedRequest[]> {
    const { db, registry, confirmations } = this.deps;
    const cursor = await db.chainCursor.findUnique({ where: { name: INDEX_CURSOR } });
    if (!cursor) return [];
    const confirmedThrough = cursor.blockNumber - BigInt(confirmations);
    return db.$queryRaw<IndexedRequest[]>`
      SELECT ce.block_number, ce.block_time, ce.tx_hash, ce.log_index, ce.attestation_uid, ce.args
        FROM chain_events ce
       WHERE ce.event = 'ExecutionRequested' AND ce.contract = 'AgentRegistry'
         AND ce.block_number <= ${confirmedThrough}
         -- Requests are decided in chain order: nothing below the last decided block is left (its block may be).
         AND ce.block_number >= (SELECT COALESCE(max(block_number), 0) FROM agent_executions
                                  WHERE registry = ${registry})
         AND NOT EXISTS (SELECT 1 FROM agent_executions ae
                          WHERE ae.registry = ${registry} AND ae.request_id = ce.args->>'requestId')
       ORDER BY ce.block_number, ce.log_index
       LIMIT ${BATCH}`;
  }

  private async decide(indexed: IndexedRequest): Promise<void> {
    const { db, checks, registry } = this.deps;
    const { agentId, requestId, caller, taskHash } = indexed.args;
    const request: ExecutionRequest = { agentId, caller, attestationUid: indexed.attestation_uid };
    const config = await db.agentConfig.findUnique({ where: { agentId } });
    const refusal: Refusal | null = !config
      ? { code: 'AGENT_NOT_CONFIGURED', reason: `agent ${agentId} has no configuration in Custos` }
      : ((await checks.refusal(request, config)) ??
        (await this.quotaRefusal(request, config, indexed.block_time)));
    await db.$transaction(async (tx) => {
      const { count } = await tx.agentExecution.createMany({
        data: [
          {
            registry,
            requestId,
            agentId,
            caller,
            taskHash,
            attestationUid: indexed.attestation_uid,
            tenantId: config?.tenantId ?? null,
            blockNumber: indexed.block_number,
            txHash: indexed.tx_hash,
            logIndex: indexed.log_index,
            requestedAt: indexed.block_time,
            status: refusal ? 'refused' : 'queued',
            reasonCode: refusal?.code ?? null,
            reason: refusal ? reasonText(refusal) : null,
            finishedAt: refusal ? new Date() : null,
          },
        ],
        skipDuplicates: true,
      });
      if (count === 0) return; // decided already
      const row = await tx.agentExecution.findUniqueOrThrow({
        where: { registry_requestId: { registry, requestId } },
        select: { id: true },
      });
      await auditExecution(tx, row.id, {
        type: refusal ? 'agent_execution.refused' : 'agent_execution.authorised',
        actor: 'system',
        details: refusal ? refusalDetails(refusal, 'pickup') : {},
      });
    });
  }

  /** The caller's daily and monthly quota for the agent, counted over authorised requests in the same UTC period. */
  private async quotaRefusal(
    request: ExecutionRequest,
    config: AgentConfig,
    at: Date,
  ): Promise<Refusal | null> {
    const used = (from: Date, to: Date) =>
      this.deps.db.agentExecution.count({
        where: {
          agentId: request.agentId,
          caller: request.caller,
          status: { not: 'refused' },
          requestedAt: { gte: from, lt: to },
        },
      });
    const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
    if (
      config.dailyQuota !== null &&
      (await used(new Date(day), new Date(day + 86_400_000))) >= config.dailyQuota
    ) {
      return {
        code: 'QUOTA_DAILY_EXCEEDED',
        reason: `the caller used its ${config.dailyQuota} executions today (UTC)`,
      };
    }
    const month = (offset: number) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));
    if (config.monthlyQuota !== null && (await used(month(0), month(1))) >= config.monthlyQuota) {
      return {
        code: 'QUOTA_MONTHLY_EXCEEDED',
        reason: `the caller used its ${config.monthlyQuota} executions this month (UTC)`,
      };
    }
    return null;
  }
}

/** The reason stored on the row: screening's reason codes appended, so a table read needs no audit lookup. */
export function reasonText(refusal: Refusal): string {
  return refusal.reasons?.length ? `${refusal.reason}: ${refusal.reasons.join(', ')}` : refusal.reason;
}

/** What the audit log keeps of a refusal, and where it happened (pickup or claim). */
export function refusalDetails(refusal: Refusal, at: 'pickup' | 'claim') {
  return { at, reasonCode: refusal.code, reason: refusal.reason, reasons: refusal.reasons ?? [] };
}
