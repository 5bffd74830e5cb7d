import type { approvalView, FourEyesAction, Role } from '@custos/sdk/api';
import type { z } from 'zod';
import { appendAuditEvent } from '../audit/index.js';
import type { ReadScope } from '../auth/index.js';
import type { Database } from '../db/index.js';
import { CustosError, withDatabase } from '../errors/index.js';
import { assertApprovableBy } from './requesterChecks.js';

export type ApprovalView = z.output<typeof approvalView>;

/** Who asked for a guarded action: the identity and the scope it runs with once approved. */
export interface Requester {
  actor: string;
  tenantId: string | null;
  scope: ReadScope;
}

/** Who approves or rejects: a requester with the role of their key. */
export interface Decider extends Requester {
  role: Role;
}

/** Runs a guarded action with the parameters and identity it was requested with. */
export type Executor = (params: never, requester: Requester) => Promise<unknown>;

/**
 * The state a guarded action acts on, as a string that changes when that state does (the pause it lifts, the holds
 * it lifts); throws the action's own error when it cannot run now (nothing to lift).
 */
export type TargetState = (params: never, requester: Requester) => Promise<string>;

interface Registered {
  execute: Executor;
  /** The roles that may decide it: those the action's own route serves. */
  deciders: readonly Role[];
  targetState?: TargetState;
}

type ApprovalRow = NonNullable<Awaited<ReturnType<Database['approval']['findFirst']>>>;

/** A claim older than this was abandoned (its process died while carrying the action out): it can be approved again. */
const ABANDONED_CLAIM_MS = 15 * 60_000;

function view(row: ApprovalRow, now = new Date()): ApprovalView {
  const abandoned =
    row.status === 'executing' &&
    row.decidedAt &&
    row.decidedAt.getTime() < now.getTime() - ABANDONED_CLAIM_MS;
  const waiting = row.status === 'pending' || abandoned;
  const status = waiting ? (row.expiresAt <= now && !abandoned ? 'expired' : 'pending') : row.status;
  return {
    id: row.id,
    action: row.action as FourEyesAction,
    status: status as ApprovalView['status'],
    summary: row.summary,
    tenantId: row.tenantId,
    requestedBy: row.requestedBy,
    requestedAt: row.requestedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    decisionReason: row.decisionReason,
    result: row.result,
  };
}

function inScope(scope: ReadScope, tenantId: string | null): boolean {
  return scope === 'all-tenants' || (tenantId !== null && scope.includes(tenantId));
}

/**
 * Four-eyes approval (FOUR_EYES): a guarded action requested by one officer is stored with its parameters and takes
 * effect only when a different officer of the same tenant (or an admin) approves it, before it expires. Requests,
 * approvals and rejections are audited with both actors; the action's own events follow the approval's.
 */
export class Approvals {
  private readonly actions = new Map<FourEyesAction, Registered>();

  constructor(
    private readonly db: Database,
    private readonly guarded: ReadonlySet<FourEyesAction>,
    private readonly ttlSeconds: number,
  ) {}

  /** Whether `action` waits for a second officer in this deployment. */
  guards(action: FourEyesAction): boolean {
    return this.guarded.has(action);
  }

  /** How an approved `action` is carried out, and who may decide it (registered by the route that offers it). */
  register<P>(
    action: FourEyesAction,
    execute: (params: P, requester: Requester) => Promise<unknown>,
    deciders: readonly Role[],
    targetState?: (params: P, requester: Requester) => Promise<string>,
  ): void {
    this.actions.set(action, {
      execute: execute as Executor,
      deciders,
      targetState: targetState as TargetState | undefined,
    });
  }

  /** Stores the request and audits it; the caller answers 202 with it. */
  async request(
    action: FourEyesAction,
    params: object,
    summary: string,
    requester: Requester,
  ): Promise<ApprovalView> {
    // Refused now when there is nothing to act on (no pause to lift, no hold), and bound to what there is.
    const targetState = await this.actions.get(action)?.targetState?.(params as never, requester);
    return withDatabase(() =>
      this.db.$transaction(async (tx) => {
        const row = await tx.approval.create({
          data: {
            action,
            summary,
            params,
            targetState,
            tenantId: requester.tenantId,
            scope: requester.scope,
            requestedBy: requester.actor,
            expiresAt: new Date(Date.now() + this.ttlSeconds * 1000),
          },
        });
        await appendAuditEvent(tx, {
          type: 'approval.requested',
          actor: requester.actor,
          tenantId: requester.tenantId,
          payload: { approvalId: row.id, action, summary, expiresAt: row.expiresAt },
        });
        return view(row);
      }),
    );
  }

  async list(
    scope: ReadScope,
    status: ApprovalView['status'] | undefined,
    limit: number,
  ): Promise<ApprovalView[]> {
    const now = new Date();
    const rows = await this.db.approval.findMany({
      where: {
        ...(scope === 'all-tenants' ? {} : { tenantId: { in: scope } }),
        ...(status === 'expired'
          ? { status: 'pending', expiresAt: { lte: now } }
          : status === 'pending'
            ? { status: 'pending', expiresAt: { gt: now } }
            : status
              ? { status }
              : {}),
      },
      orderBy: { requestedAt: 'desc' },
      take: limit,
    });
    return rows.map((row) => view(row, now));
  }

  /**
   * Approves and carries out the action, as its requester. The requester cannot approve their own (nor with a key of
   * theirs: see assertApprovableBy); an expired or decided one, or one whose requester's key is gone, is 409, and so
   * is one whose target changed since it was requested (APPROVAL_STALE: it is then closed). If the action fails for
   * an outage (a 5xx) the failure is audited and the approval waits again: approving again retries it, and the
   * actions are safe to run again; a refusal (a 4xx) closes it.
   */
  async approve(id: string, approver: Decider): Promise<ApprovalView> {
    const row = await this.pending(id, approver);
    await assertApprovableBy(this.db, row.requestedBy, approver.actor);
    const { execute, targetState } = this.decidable(row, approver);
    const requester = { actor: row.requestedBy, tenantId: row.tenantId, scope: row.scope as ReadScope };
    if (targetState)
      await this.assertTargetUnchanged(row, approver, await this.stateNow(targetState, row, requester));
    // Claimed first, with its audit record, so of two approvers racing only one carries the action out.
    await this.transition(row, approver.actor, { to: 'executing' }, 'approval.approved');
    let result: unknown;
    try {
      result = await execute(row.params as never, requester);
    } catch (error) {
      const code = error instanceof CustosError ? error.code : 'INTERNAL';
      const refused = error instanceof CustosError && error.status < 500;
      await this.transition(
        row,
        approver.actor,
        refused
          ? { from: 'executing', to: 'rejected', reason: `refused when carried out: ${code}` }
          : { from: 'executing', to: 'pending' },
        'approval.failed',
        `${code}: ${(error as Error).message}`.slice(0, 500),
      );
      throw error;
    }
    return this.transition(row, approver.actor, { from: 'executing', to: 'approved', result });
  }

  async reject(id: string, rejecter: Decider, reason: string): Promise<ApprovalView> {
    const row = await this.pending(id, rejecter);
    this.decidable(row, rejecter);
    return this.transition(row, rejecter.actor, { to: 'rejected', reason }, 'approval.rejected', reason);
  }

  /** The action's target state now; null when it cannot run at all any more (nothing left to act on). */
  private async stateNow(
    targetState: TargetState,
    row: ApprovalRow,
    requester: Requester,
  ): Promise<string | null> {
    try {
      return await targetState(row.params as never, requester);
    } catch (error) {
      if (error instanceof CustosError && error.status < 500) return null;
      throw error;
    }
  }

  /** Closes `row` and refuses with APPROVAL_STALE when what it was requested for is no longer what there is. */
  private async assertTargetUnchanged(
    row: ApprovalRow,
    approver: Decider,
    now: string | null,
  ): Promise<void> {
    if (now !== null && now === row.targetState) return;
    const reason = now === null ? 'nothing left to act on' : 'its target changed since the request';
    await this.transition(
      row,
      approver.actor,
      { to: 'rejected', reason: `stale: ${reason}` },
      'approval.rejected',
      `stale: ${reason}`,
    );
    throw new CustosError(
      'APPROVAL_STALE',
      `approval ${row.id} is stale (${reason}): request the action again`,
    );
  }

  /** The action of `row` if `decider`'s role may decide it (an admin-only action needs an admin). */
  private decidable(row: ApprovalRow, decider: Decider): Registered {
    const action = this.actions.get(row.action as FourEyesAction);
    if (!action) throw new CustosError('INTERNAL', `no executor for ${row.action}`);
    if (!action.deciders.includes(decider.role)) {
      throw new CustosError('FORBIDDEN', `${row.action} is decided by ${action.deciders.join(' or ')} keys`);
    }
    return action;
  }

  /** The approval `id` if the caller's scope reaches it and it still waits for a decision. */
  private async pending(id: string, caller: Requester): Promise<ApprovalRow> {
    const row = await withDatabase(() => this.db.approval.findUnique({ where: { id } }));
    if (!row || !inScope(caller.scope, row.tenantId))
      throw new CustosError('NOT_FOUND', `approval ${id} not found`);
    const current = view(row);
    if (current.status !== 'pending') {
      throw new CustosError('APPROVAL_DECIDED', `approval ${id} is ${current.status}`);
    }
    return row;
  }

  /**
   * Moves the approval from one state to the next and audits it in the same transaction. Conditional on the state
   * it was in (a pending one, also unexpired; or a claim abandoned by a process that died while executing it): of
   * two deciders racing, one moves it and the other gets APPROVAL_DECIDED.
   */
  private async transition(
    row: ApprovalRow,
    actor: string,
    change: {
      from?: 'executing';
      to: 'executing' | 'pending' | 'approved' | 'rejected';
      reason?: string;
      result?: unknown;
    },
    audit?: 'approval.approved' | 'approval.rejected' | 'approval.failed',
    auditReason: string | null = null,
  ): Promise<ApprovalView> {
    const now = new Date();
    const from =
      change.from === 'executing'
        ? { status: 'executing' }
        : {
            OR: [
              { status: 'pending', expiresAt: { gt: now } },
              { status: 'executing', decidedAt: { lt: new Date(now.getTime() - ABANDONED_CLAIM_MS) } },
            ],
          };
    return withDatabase(() =>
      this.db.$transaction(async (tx) => {
        const updated = await tx.approval.updateMany({
          where: { id: row.id, ...from },
          data: {
            status: change.to,
            // Back to pending (a failed run): undecided again.
            decidedBy: change.to === 'pending' ? null : actor,
            decidedAt: change.to === 'pending' ? null : now,
            ...(change.reason ? { decisionReason: change.reason } : {}),
            ...(change.result === undefined || change.result === null
              ? {}
              : { result: JSON.parse(JSON.stringify(change.result)) as object }),
          },
        });
        if (updated.count === 0) {
          throw new CustosError('APPROVAL_DECIDED', `approval ${row.id} was decided meanwhile`);
        }
        if (audit) {
          await appendAuditEvent(tx, {
            type: audit,
            actor,
            tenantId: row.tenantId,
            payload: {
              approvalId: row.id,
              action: row.action,
              requestedBy: row.requestedBy,
              reason: auditReason,
            },
          });
        }
        return view(await tx.approval.findUniqueOrThrow({ where: { id: row.id } }), now);
      }),
    );
  }
}
