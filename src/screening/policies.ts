import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KYC_STATUSES, isIso3166Alpha2 } from '@custos/sdk/api';
import { z } from 'zod';
import { packageRoot } from '../packageRoot.js';

export { KYC_STATUSES };
export type KycStatus = (typeof KYC_STATUSES)[number];

const jurisdiction = z
  .string()
  .refine(isIso3166Alpha2, { message: 'is not an ISO 3166-1 alpha-2 country code' });

/** Five minutes: a transaction is usually mined within one. */
export const DEFAULT_ACTION_LIFETIME_SECONDS = 300;

export const policySchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'must be lower-case letters, digits and dashes' }),
    description: z.string().min(1),
    requiredKycStatus: z.enum(KYC_STATUSES),
    /** When set, only these jurisdictions pass. */
    allowedJurisdictions: z.array(jurisdiction).optional(),
    deniedJurisdictions: z.array(jurisdiction).default([]),
    minimumAge: z.number().int().min(0).max(150).optional(),
    requireAccredited: z.boolean().default(false),
    /** 0 (no risk) to 100. */
    maxRiskScore: z.number().int().min(0).max(100).optional(),
    /** How long an attestation lives; the gatekeeper's per-policy maximum must be at least this. */
    lifetimeSeconds: z
      .number()
      .int()
      .min(60)
      .max(365 * 86_400),
    /**
     * How long an action-bound attestation lives: long enough to send the one transaction it is for, short enough
     * that a leaked one is useless soon. At most `lifetimeSeconds`.
     */
    actionLifetimeSeconds: z.number().int().min(60).max(3600).default(DEFAULT_ACTION_LIFETIME_SECONDS),
  })
  .strict()
  .refine((policy) => policy.actionLifetimeSeconds <= policy.lifetimeSeconds, {
    message: 'must not exceed lifetimeSeconds',
    path: ['actionLifetimeSeconds'],
  });

export type Policy = z.infer<typeof policySchema>;

const fileSchema = z.object({ policies: z.array(policySchema).min(1) }).strict();

export const DEFAULT_POLICIES_FILE = path.join(packageRoot(), 'src', 'screening', 'policies.default.json');

/** Reads and validates a policies file; names the file, the policy and the field on error. */
export function loadPolicies(file = DEFAULT_POLICIES_FILE): Map<string, Policy> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`policies file ${file}: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new Error(`policies file ${file}: ${issue!.path.join('.')} ${issue!.message}`);
  }
  const policies = new Map<string, Policy>();
  for (const policy of parsed.data.policies) {
    if (policies.has(policy.name))
      throw new Error(`policies file ${file}: policy ${policy.name} is defined twice`);
    policies.set(policy.name, policy);
  }
  return policies;
}
