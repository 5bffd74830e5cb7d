import { z } from 'zod';
import { text } from './primitives.js';

/** Actions a deployment can put behind a second officer's approval (FOUR_EYES). */
export const FOUR_EYES_ACTIONS = [
  'revoke-address',
  'bulk-revoke',
  'key-rotate',
  'sanctions-load',
  'hold-lift',
  'emergency-unpause',
] as const;
export type FourEyesAction = (typeof FOUR_EYES_ACTIONS)[number];

export const APPROVAL_STATUSES = ['pending', 'executing', 'approved', 'rejected', 'expired'] as const;

export const approvalView = z
  .object({
    id: z.string(),
    action: z.enum(FOUR_EYES_ACTIONS),
    status: z.enum(APPROVAL_STATUSES),
    summary: z.string().describe('what the action will do, in one line'),
    tenantId: z.string().nullable(),
    requestedBy: z.string(),
    requestedAt: z.string(),
    expiresAt: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    decisionReason: z.string().nullable(),
    result: z.unknown().describe('what the action answered once approved'),
  })
  .meta({ id: 'Approval' });

/** A guarded action's answer while it waits for a second officer (202). */
export const approvalPending = z.object({ approval: approvalView }).meta({ id: 'ApprovalPending' });

export const approvalListQuery = z
  .object({
    status: z.enum(APPROVAL_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export const approvalList = z.object({ approvals: z.array(approvalView) });
export const approvalParams = z.object({ id: z.uuid({ message: 'must be an approval id' }) });
export const rejectRequest = z
  .object({ reason: text(3, 500) })
  .strict()
  .meta({ id: 'RejectRequest' });
export const approvalDecision = z.object({ approval: approvalView });
