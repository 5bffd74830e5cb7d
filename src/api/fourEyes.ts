import { operations, type FourEyesAction, type Role } from '@custos/sdk/api';
import type { Response } from 'express';
import type { ApprovalView, Decider, Requester } from '../approvals/index.js';
import type { ApiContext } from './context.js';
import { actorOf, principalOf } from './middleware.js';
import { Accepted } from './route.js';

/** The caller as the identity a guarded action runs with, and decides approvals with. */
export function requesterOf(res: Response): Decider {
  const principal = principalOf(res);
  return {
    actor: actorOf(res),
    tenantId: principal.tenantId,
    scope: principal.readScope,
    role: principal.role,
  };
}

/** The roles of the operation that offers `action`: only they may approve or reject it. */
function decidersOf(action: FourEyesAction): readonly Role[] {
  const operation = Object.values(operations).find((op) => 'fourEyes' in op && op.fourEyes === action);
  if (!operation || !Array.isArray(operation.auth)) throw new Error(`no operation offers ${action}`);
  return operation.auth as readonly Role[];
}

/**
 * Runs a guarded action now, or (when FOUR_EYES names it) stores it for a second officer and answers 202 with the
 * approval. `execute` is registered as the action's executor too, so an approval runs exactly what the route would.
 */
export function fourEyes<P extends object, T>(
  ctx: ApiContext,
  action: FourEyesAction,
  execute: (params: P, requester: Requester) => Promise<T>,
  /** For an action that lifts something: what it lifts, so an approval cannot act on a later one (see Approvals). */
  targetState?: (params: P, requester: Requester) => Promise<string>,
): (res: Response, params: P, summary: string) => Promise<T | Accepted<{ approval: ApprovalView }>> {
  ctx.approvals.register(action, execute, decidersOf(action), targetState);
  return async (res, params, summary) => {
    const requester = requesterOf(res);
    if (!ctx.approvals.guards(action)) return execute(params, requester);
    return new Accepted({ approval: await ctx.approvals.request(action, params, summary, requester) });
  };
}
