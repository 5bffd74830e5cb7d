import { z } from 'zod';
import { address, instant, text } from './primitives.js';

/**
 * The off-chain execution gate: agents' configurations, executions executors claim and report, usage for billing.
 */

/** An AgentRegistry agent id: decimal, 1 up to uint256 (kept as a string). */
export const agentId = z
  .string()
  .regex(/^[1-9]\d{0,77}$/, { message: 'must be an agent id: a decimal number from 1', abort: true })
  .refine((value) => BigInt(value) < 2n ** 256n, { message: 'must fit in uint256' })
  .meta({ id: 'AgentId', example: '1' });

export const agentParams = z.object({ agentId }).strict();
export const executionParams = z
  .object({ id: z.uuid({ message: 'must be an execution id (uuid)' }) })
  .strict();

/** Who may have an agent executed: any compliant caller, the agent's on-chain owner, or holders of an ERC-20. */
export const AGENT_ACCESS = ['open', 'owner', 'token'] as const;

/** Why an execution was refused: the codes an execution row carries (besides screening's reason codes). */
export const EXECUTION_REFUSALS = {
  AGENT_NOT_CONFIGURED: 'the agent has no configuration in Custos (no owner tenant runs it)',
  AGENT_INACTIVE: 'the agent is deactivated on-chain (or no longer registered)',
  SCREENING_FAILED:
    'the caller no longer satisfies the agent policy (reasons lists the rules: a hold among them)',
  ATTESTATION_REVOKED: 'the attestation that made the caller compliant was revoked',
  COMPLIANCE_ENDED: "the caller's compliance record on the gatekeeper expired or was revoked on-chain",
  ACCESS_DENIED: "the caller is not allowed by the agent's access setting (owner only, or token holders)",
  QUOTA_DAILY_EXCEEDED: "the caller used the agent's daily quota (UTC day)",
  QUOTA_MONTHLY_EXCEEDED: "the caller used the agent's monthly quota (UTC month)",
  UNKNOWN_POLICY: 'the agent policy is not one this service screens for',
} as const;
export type ExecutionRefusal = keyof typeof EXECUTION_REFUSALS;

/** A quota: executions per caller in one UTC day or month; null removes the limit. */
const quota = z.number().int().min(0).max(2_147_483_647).nullable();

export const agentConfigRequest = z
  .object({
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'must be a tenant name' })
      .optional()
      .describe('the owner tenant whose executors run the agent (admins only; required the first time)'),
    access: z.enum(AGENT_ACCESS).optional(),
    token: address.optional().describe('the ERC-20 whose holders may call the agent (access token)'),
    minBalance: z
      .string()
      .regex(/^\d{1,78}$/, { message: 'must be a decimal number of base units' })
      .refine((value) => BigInt(value) < 2n ** 256n, { message: 'must fit in uint256' })
      .optional()
      .describe('the least token balance in base units (default: any non-zero balance)'),
    dailyQuota: quota.optional(),
    monthlyQuota: quota.optional(),
  })
  .strict()
  // Whether token and minBalance fit depends on the agent's saved access rule too: the service decides that, once.
  .refine((body) => Object.keys(body).length > 0, { message: 'must change something' })
  .meta({ id: 'AgentConfigRequest', example: { tenant: 'acme-exchange', access: 'open', dailyQuota: 100 } });

export const agentView = z
  .object({
    agentId: z.string(),
    tenant: z.string(),
    tenantId: z.string(),
    access: z.enum(AGENT_ACCESS),
    token: z.string().nullable(),
    minBalance: z.string().nullable(),
    dailyQuota: z.number().int().nullable(),
    monthlyQuota: z.number().int().nullable(),
    updatedBy: z.string(),
    updatedAt: z.string(),
    executions: z
      .object({
        queued: z.number().int(),
        leased: z.number().int(),
        finished: z.number().int(),
        refused: z.number().int(),
      })
      .describe('how many executions are in each state'),
  })
  .meta({ id: 'Agent' });
export const agentList = z.object({ agents: z.array(agentView) });
export const agentResult = z.object({ agent: agentView });

export const EXECUTION_STATUSES = ['queued', 'leased', 'succeeded', 'failed', 'refused'] as const;

export const executionView = z
  .object({
    id: z.string(),
    agentId: z.string(),
    requestId: z.string(),
    caller: z.string(),
    taskHash: z.string(),
    attestationUid: z.string().nullable(),
    registry: z.string(),
    txHash: z.string(),
    blockNumber: z.number().int(),
    requestedAt: z.string(),
    decidedAt: z.string(),
    status: z.enum(EXECUTION_STATUSES),
    reasonCode: z.string().nullable(),
    reason: z.string().nullable(),
    leaseExpiresAt: z.string().nullable(),
    claims: z.number().int(),
    units: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'AgentExecution' });

export const executionListQuery = z
  .object({
    agentId: agentId.optional(),
    caller: address.optional(),
    status: z.enum(EXECUTION_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export const executionList = z.object({ executions: z.array(executionView) });

export const claimRequest = z
  .object({
    leaseSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(300)
      .describe('how long the execution is yours; after it another executor may claim it'),
  })
  .strict()
  .meta({ id: 'ClaimRequest' });
export const claimResult = z
  .object({ execution: executionView.nullable().describe('null when nothing is waiting') })
  .meta({ id: 'ClaimResult' });

export const resultRequest = z
  .object({
    claim: z
      .number()
      .int()
      .min(1)
      .describe(
        "the claim's `execution.claims`: a lease token, so a stale claimant with the same key cannot report",
      ),
    status: z.enum(['succeeded', 'failed']),
    units: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .describe('what the execution used, in the agent unit of billing'),
    output: text(0, 4096).optional().describe('a short result or error text (its SHA-256 is audited)'),
  })
  .strict()
  .meta({ id: 'ExecutionResultRequest', example: { claim: 1, status: 'succeeded', units: 42 } });
export const executionResult = z.object({ execution: executionView });

export const usageQuery = z
  .object({
    from: instant.optional().describe('inclusive; default the start of the current UTC month'),
    to: instant.optional().describe('exclusive; default now'),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'from must be before to', path: ['from'] });

export const usageRow = z
  .object({
    caller: z.string(),
    executions: z.number().int().describe('authorised executions requested in the period'),
    succeeded: z.number().int(),
    failed: z.number().int(),
    pending: z.number().int().describe('queued or leased'),
    refused: z.number().int(),
    units: z.string().describe('units reported by finished executions (decimal)'),
  })
  .meta({ id: 'AgentUsageRow' });
export const agentUsage = z
  .object({ agentId: z.string(), from: z.string(), to: z.string(), callers: z.array(usageRow) })
  .meta({ id: 'AgentUsage' });
